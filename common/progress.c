/*
 * Progress lines on a terminal. Only a terminal ever gets them: a log
 * file, a pipe or --json output must stay byte-for-byte what the command
 * printed before progress existed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define ZKR_PROGRESS_PERIOD_MS 100

static int64_t now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void zkr_progress_init(zkr_progress *p, int fd, int enabled, const char *prefix)
{
    memset(p, 0, sizeof *p);
    p->fd = (enabled && fd >= 0 && isatty(fd)) ? fd : -1;
    (void)snprintf(p->prefix, sizeof p->prefix, "%s", prefix ? prefix : "zkreg");
}

int zkr_progress_on(const zkr_progress *p)
{
    return p != NULL && p->fd >= 0;
}

/* One write(2) per redraw, so an interleaved stderr message cannot split a line. */
static void draw(zkr_progress *p)
{
    char line[256];
    int n;

    if (p->total > 0)
        n = snprintf(line, sizeof line, "\r\033[K%s: %s %llu/%llu (%u%%)", p->prefix, p->phase,
                     (unsigned long long)p->done, (unsigned long long)p->total,
                     (unsigned)(p->done >= p->total ? 100 : (p->done * 100) / p->total));
    else
        n = snprintf(line, sizeof line, "\r\033[K%s: %s", p->prefix, p->phase);
    if (n <= 0)
        return;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    if (write(p->fd, line, (size_t)n) == n)
        p->drawn = 1;
    p->last_ms = now_ms();
}

void zkr_progress_phase(zkr_progress *p, const char *phase, uint64_t total)
{
    if (!zkr_progress_on(p))
        return;
    (void)snprintf(p->phase, sizeof p->phase, "%s", phase ? phase : "");
    p->total = total;
    p->done = 0;
    draw(p);
}

void zkr_progress_step(zkr_progress *p, uint64_t done)
{
    if (!zkr_progress_on(p))
        return;
    p->done = done;
    if ((p->total > 0 && done >= p->total) || now_ms() - p->last_ms >= ZKR_PROGRESS_PERIOD_MS)
        draw(p);
}

void zkr_progress_end(zkr_progress *p)
{
    static const char erase[] = "\r\033[K";

    if (!zkr_progress_on(p) || !p->drawn)
        return;
    (void)!write(p->fd, erase, sizeof erase - 1);
    p->drawn = 0;
}
