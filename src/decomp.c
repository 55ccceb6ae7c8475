#include "decomp.h"
