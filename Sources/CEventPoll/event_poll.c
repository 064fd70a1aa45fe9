// Header-only module; this file gives SwiftPM a C target to build.
#include "event_poll.h"
