#ifndef IPTS_SARIF_H
#define IPTS_SARIF_H

/*
 * SARIF 2.1.0 output for a list of diagnostics: one run of the tool
 * "iptsim", rules[] listing every lint code, one result per diagnostic
 * (its notes become relatedLocations). Used by check and lint.
 */
#include <stdio.h>

#include "diag.h"

void ipts_sarif_write(FILE *f, const struct ipts_diags *d);

#endif
