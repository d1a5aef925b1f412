/* Shared by fuzz_keyfile.c and fuzz/gen_corpus.c (which seals the seeds). */
#ifndef ZKR_FUZZ_KEYFILE_H
#define ZKR_FUZZ_KEYFILE_H

/* The passphrase every seed key file is sealed under. */
#define ZKR_FUZZ_KEYFILE_PASS "fuzz passphrase"
/*
 * Argon2id costs above these are not run (the file's header asks for
 * them): campaigns should measure the parser, not the KDF. The header
 * bounds themselves are still checked for every input by zkr_unseal's
 * callers through zkr_keyfile_public and the sealed-blob parse.
 */
#define ZKR_FUZZ_KEYFILE_MAX_OPS 2u
#define ZKR_FUZZ_KEYFILE_MAX_MEM (64u * 1024u)

#endif
