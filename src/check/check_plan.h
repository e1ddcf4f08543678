/*
 * check_plan.h - what plan mode shows besides the images: the settings a
 * check would use, and a note on the images a deployed resource keeps.
 * The report points into a struct plan_view: keep it until it is printed.
 */
#ifndef CHECK_PLAN_H
#define CHECK_PLAN_H

#include "check/resource.h"
#include "gcloud/props.h"
#include "gcloud/transport.h"
#include "out/report.h"

struct plan_view {
	struct transport	 ps;
	struct report_settings	 rs;
	char			 run_ep[1024], proxy[1024];
	char			 settings_err[512];
	char			 note[1024];
};

/* The note on the kept images, as rep->note (nothing to say: unchanged). */
void plan_note(struct plan_view *pv, struct resource *k,
    struct report *rep);

/* The settings, as rep->settings (a settings error as rep->note). */
void plan_settings(struct plan_view *pv, const struct props *p,
    struct report *rep);

#endif
