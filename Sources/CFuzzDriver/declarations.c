// SwiftPM needs a source file in a C target; the target only declares libFuzzer's driver (see the header).
#include "CFuzzDriver.h"
