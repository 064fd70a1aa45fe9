// The kernel's readiness API for BatonHTTP's event loops: Swift's Glibc module leaves out epoll.
#ifndef BATON_EVENT_POLL_H
#define BATON_EVENT_POLL_H
#if defined(__linux__)
#include <sys/epoll.h>
#else
#include <sys/event.h>
#endif
#endif
