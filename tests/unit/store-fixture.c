/* tests/unit/store-fixture.c: a store of its own for a unit test. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "db.h"
#include "store-fixture.h"

/* Open a new store for the configuration text; 0, or -1 (and why). */
int
store_fixture_open(struct store_fixture *sf, const char *conf_text)
{
	char	*cause = NULL;

	snprintf(sf->dir, sizeof(sf->dir), "/tmp/feedmux-unit.XXXXXX");
	if (mkdtemp(sf->dir) == NULL)
		return (-1);
	snprintf(sf->path, sizeof(sf->path), "%s/t.db", sf->dir);
	if ((sf->conf = conf_load_string("t.conf", conf_text,
	    &cause)) == NULL || (sf->db = db_open(sf->path, &cause)) == NULL) {
		fprintf(stderr, "store fixture: %s\n", cause);
		free(cause);
		return (-1);
	}
	db_configure(sf->db, sf->conf);
	return (db_sync_conf(sf->db, sf->conf));
}

/* Close the store and remove its directory. */
int
store_fixture_close(struct store_fixture *sf)
{
	char	cmd[160];

	db_close(sf->db);
	conf_unref(sf->conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sf->dir);
	return (system(cmd) == 0 ? 0 : -1);
}
