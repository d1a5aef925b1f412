/*
 * Registry import bundles (registry/bundle.c, docs/formats.md section 8):
 * strict parsing, the trusted-key check, checkpoint signature, every
 * inclusion proof and leaf decoding. The corpus bundle is signed by the
 * key below (a throwaway registry made for the corpus).
 */
#include "fuzz.h"
#include "registry/registry.h"

static const char corpus_vkey[] =
    "zkreg.fuzz/corpus+23ff9414+Ae6CQh1huZ4nDP6vk5YNpzgoiR9xHqwBwVTnpf5QpEf3";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_import_summary sum;

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    (void)!zkr_bundle_check(data, size, corpus_vkey, &sum, NULL);
    return 0;
}
