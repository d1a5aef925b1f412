/* C2SP signed-note checkpoints (registry/checkpoint.c, docs/formats.md section 7). */
#include "fuzz.h"
#include "registry/registry.h"

static const char corpus_vkey[] =
    "zkreg.fuzz/corpus+23ff9414+Ae6CQh1huZ4nDP6vk5YNpzgoiR9xHqwBwVTnpf5QpEf3";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkr_checkpoint cp;

    if (size > ZKR_FUZZ_MAX_INPUT)
        return 0;
    (void)!zkr_checkpoint_verify(data, size, corpus_vkey, &cp, NULL);
    return 0;
}
