/*
 * The worker kinds zkreg can run in its confined worker process
 * (sandbox/sandbox.h). The workflows call
 *   zkr_sandbox_call(zkr_app_workers, "verify", &opts, req, len, &reply, &res, &diag)
 */
#ifndef ZKR_APP_WORKERS_H
#define ZKR_APP_WORKERS_H

#include "sandbox/sandbox.h"

/* Ended by an entry with kind == NULL. */
extern const zkr_worker_kind zkr_app_workers[];

#endif
