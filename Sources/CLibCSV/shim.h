#include <stddef.h>
#include <stdio.h>
#include <csv.h>
