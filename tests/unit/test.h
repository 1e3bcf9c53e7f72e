/* tests/unit/test.h: what every cmocka unit test includes. */
#ifndef TEST_H
#define TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feedmux.h"

/* The daemon's globals, which some modules reference. */
struct event_base	*ev_base;
struct conf		*cfg;
time_t			 start_time;

#endif
