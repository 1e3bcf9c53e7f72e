/*
 * tests/unit/test.h: what every cmocka unit test includes; each test adds
 * the headers of the module it tests.
 */
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

#include "log.h"
#include "util.h"
#include "xmalloc.h"

#endif
