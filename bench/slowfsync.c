/* LD_PRELOAD shim: every fsync/fdatasync sleeps SQ_FSYNC_DELAY_US microseconds, then calls the real one.
 * It sits on the real call path (SQLite's own fsync calls from C), as a slow SD card or eMMC would.
 * Built by bench/bench_fsync.py: cc -shared -fPIC -O2 -o libslowfsync.so slowfsync.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static long delay_us(void) {
    static long value = -1;
    if (value < 0) {
        const char *text = getenv("SQ_FSYNC_DELAY_US");
        value = text ? atol(text) : 0;
    }
    return value;
}

static void pause_like_a_slow_card(void) {
    long us = delay_us();
    if (us > 0) {
        struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
        while (nanosleep(&ts, &ts) != 0) {}
    }
}

int fsync(int fd) {
    static int (*real)(int) = 0;
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    pause_like_a_slow_card();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int) = 0;
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    pause_like_a_slow_card();
    return real(fd);
}
