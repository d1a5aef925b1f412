/*
 * The full audit (`zkreg log verify`) checks the revocation order of the
 * training events too: a lineage that binds a parent model, or a model of
 * a program, revoked at an earlier log index is reported, naming the
 * entry and the revocation. Such an entry is written here through the
 * generic event API with no bound check, as a writer that forgot its
 * in-transaction check would (round open did, for the parent's program,
 * until the adversarial review); the same lineage before the revocation
 * audits clean.
 */
#include <sodium.h>

#include "registry/registry_int.h"
#include "reg_test.h"

typedef struct {
    zkr_registry *reg;
    zkr_artifact prog, model;
} fixture;

static int fixture_open(zkr_tap *t, const char *dir, const char *name, fixture *f)
{
    static const uint8_t program[] = "adversary program";
    uint8_t weights[16], comm[32];
    zkr_secret pass;
    char path[512];
    zkr_diag d;

    memset(f, 0, sizeof *f);
    zkr_diag_clear(&d);
    randombytes_buf(weights, sizeof weights);
    memset(comm, 7, sizeof comm);
    rt_path(path, dir, name);
    rt_pass(&pass, "x");
    if (zkr_registry_create(path, &pass, NULL, 1, &d) != ZKR_OK ||
        zkr_registry_open(path, &f->reg, &d) != ZKR_OK ||
        zkr_registry_program_add(f->reg, "p", program, sizeof program, &f->prog, &d) != ZKR_OK ||
        zkr_registry_model_add(f->reg, "m", "1", weights, sizeof weights, comm, &f->model, &d) !=
            ZKR_OK) {
        zkr_tap_ok(t, 0, "%s: registry, program and model: %s", name, d.msg);
        rt_pass_free(&pass);
        return 0;
    }
    rt_pass_free(&pass);
    return 1;
}

/* Appends a lineage from the fixture's model to a fresh child, with no bound check. */
static zkr_err append_lineage(fixture *f, zkr_diag *d)
{
    zkr_lineage l;
    zkr_buf b = {0};
    uint64_t li = 0;
    zkr_err r;

    memset(&l, 0, sizeof l);
    randombytes_buf(l.child, 32);
    memcpy(l.parent, f->model.sha256, 32);
    memcpy(l.parent_commitment, f->model.commitment, 32);
    memset(l.dataset, 3, 32);
    l.lr = 3;
    l.shift = 16;
    l.batch = 1;
    if ((r = zkr_lineage_encode(&l, &b)) == ZKR_OK)
        r = zkr_registry_event_append(f->reg, "lineage", b.p, b.len, &li, d);
    zkr_buf_free(&b);
    return r;
}

/* kind: ZKR_KIND_MODEL revokes the parent, ZKR_KIND_PROGRAM its program. */
static void test_order(zkr_tap *t, const char *dir, const char *name, zkr_kind kind,
                       const char *needle)
{
    zkr_revocation rv;
    uint64_t size = 0;
    fixture f;
    zkr_diag d;

    if (!fixture_open(t, dir, name, &f))
        return;
    zkr_diag_clear(&d);
    zkr_tap_ok(t, append_lineage(&f, &d) == ZKR_OK && zkr_registry_log_audit(f.reg, &size, &d) ==
                                                          ZKR_OK,
               "%s: a lineage before any revocation audits clean: %s", name, d.msg);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_revoke(f.reg, kind,
                                      kind == ZKR_KIND_MODEL ? f.model.sha256 : f.prog.sha256,
                                      "adversary", &rv, &d) == ZKR_OK,
               "%s: revoke the %s: %s", name, zkr_kind_name(kind), d.msg);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, append_lineage(&f, &d) == ZKR_OK, "%s: a lineage after it is appended unchecked: %s",
               name, d.msg);
    zkr_diag_clear(&d);
    zkr_tap_ok(t, zkr_registry_log_audit(f.reg, &size, &d) == ZKR_ERR_VERIFY &&
                      strstr(d.msg, "lineage entry") != NULL && strstr(d.msg, needle) != NULL &&
                      strstr(d.msg, "earlier entry") != NULL,
               "%s: the audit reports the lineage binding the revoked %s: %s", name,
               zkr_kind_name(kind), d.msg);
    zkr_registry_close(f.reg);
}

int main(int argc, char **argv)
{
    zkr_tap t;
    char dir[256];

    zkr_tap_init(&t, argc, argv);
    if (sodium_init() < 0)
        return 2;
    rt_tmpdir(dir);
    test_order(&t, dir, "model.db", ZKR_KIND_MODEL, "binds model");
    test_order(&t, dir, "program.db", ZKR_KIND_PROGRAM, "binds the program of model");
    rt_cleanup(dir);
    return zkr_tap_done(&t);
}
