/*
 * tests/unit/store-fixture.h: a store of its own for a unit test: a new
 * directory, a configuration and a database opened, configured and synced
 * with it; closing removes the directory.
 */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

struct conf;
struct db;

struct store_fixture {
	char		 dir[64];
	char		 path[128];	/* the database, in dir */
	struct conf	*conf;
	struct db	*db;
};

int	store_fixture_open(struct store_fixture *, const char *);
int	store_fixture_close(struct store_fixture *);

#endif
