/*
 * io_names.c - the column names pandas 1.5 gives a header.
 *
 * pandas' C parser (_get_header in parsers.pyx) first names every empty
 * field "Unnamed: i" (i its 0-based position), then deduplicates: the named
 * columns first, then the unnamed ones, each in file order. A name already
 * given out k > 0 times becomes "name.k"; when that name is also in the
 * header (as renamed so far), k goes up until a free name is found:
 *
 *   a,a,a           ->  a, a.1, a.2
 *   a,a,a.1         ->  a, a.2, a.1
 *   a,a,a.1,a.1     ->  a, a.2, a.1, a.1.1
 *   ,Unnamed: 0,b   ->  Unnamed: 0.1, Unnamed: 0, b   (unnamed go last)
 *
 * One hash map holds both of pandas' tables: counts[name] (how often a name
 * was given out) and how many header entries hold the name right now.
 */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;      /* owned copy; NULL for a free slot */
    size_t count;   /* pandas' counts[key] */
    size_t present; /* header entries currently named key */
} name_entry;

/* Open addressing with a fixed size: at most 2n keys are ever stored (the
 * n first names and the n final ones), so 4n slots never fill up. */
typedef struct {
    name_entry *slots;
    size_t mask;
} name_map;

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static int map_init(name_map *m, size_t n)
{
    size_t cap = 8;
    while (cap < 4 * n + 4)
        cap *= 2;
    m->slots = calloc(cap, sizeof *m->slots);
    m->mask = cap - 1;
    return m->slots == NULL ? -1 : 0;
}

static void map_free(name_map *m)
{
    for (size_t i = 0; m->slots != NULL && i <= m->mask; i++)
        free(m->slots[i].key);
    free(m->slots);
}

/* The slot holding key, or the free slot where it would go. */
static name_entry *map_slot(name_map *m, const char *key)
{
    size_t i = hash_name(key) & m->mask;
    while (m->slots[i].key != NULL && strcmp(m->slots[i].key, key) != 0)
        i = (i + 1) & m->mask;
    return &m->slots[i];
}

static const name_entry *map_find(name_map *m, const char *key)
{
    const name_entry *e = map_slot(m, key);
    return e->key != NULL ? e : NULL;
}

/* The entry for key, added with zero counts if new; NULL when out of
 * memory. */
static name_entry *map_put(name_map *m, const char *key)
{
    name_entry *e = map_slot(m, key);
    if (e->key == NULL && (e->key = strdup(key)) == NULL)
        return NULL;
    return e;
}

/* "base.k", or "Unnamed: k" when base is NULL; NULL when out of memory. */
static char *format_name(const char *base, size_t k)
{
    char tail[32];
    snprintf(tail, sizeof tail, base != NULL ? ".%zu" : "Unnamed: %zu", k);
    size_t blen = base != NULL ? strlen(base) : 0, tlen = strlen(tail);
    char *s = malloc(blen + tlen + 1);
    if (s != NULL) {
        memcpy(s, base != NULL ? base : "", blen);
        memcpy(s + blen, tail, tlen + 1);
    }
    return s;
}

/* pandas' loop body for header entry i. Returns -1 when out of memory. */
static int dedup_one(name_map *m, char **names, size_t i)
{
    name_entry *old = map_put(m, names[i]);
    if (old == NULL)
        return -1;
    size_t cur = old->count;
    char *col = NULL;
    while (cur > 0) {
        old->count = cur + 1;
        free(col);
        if ((col = format_name(old->key, cur)) == NULL)
            return -1;
        const name_entry *seen = map_find(m, col);
        if (seen != NULL && seen->present > 0)
            cur++;
        else
            cur = seen != NULL ? seen->count : 0;
    }
    if (col != NULL) {
        old->present--;
        free(names[i]);
        names[i] = col;
    }
    name_entry *now = map_put(m, names[i]);
    if (now == NULL)
        return -1;
    now->present += col != NULL;
    now->count = cur + 1;
    return 0;
}

static int dedup_all(name_map *m, char **names, const char *const *fields,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        name_entry *e = map_put(m, names[i]);
        if (e == NULL)
            return -1;
        e->present++;
    }
    for (int unnamed = 0; unnamed <= 1; unnamed++)
        for (size_t i = 0; i < n; i++)
            if ((fields[i][0] == '\0') == unnamed &&
                dedup_one(m, names, i) != 0)
                return -1;
    return 0;
}

char **io_csv_names(const char *const *fields, size_t n)
{
    char **names = calloc(n > 0 ? n : 1, sizeof *names);
    name_map m = {NULL, 0};
    int ok = names != NULL && map_init(&m, n) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        names[i] =
            fields[i][0] != '\0' ? strdup(fields[i]) : format_name(NULL, i);
        ok = names[i] != NULL;
    }
    ok = ok && dedup_all(&m, names, fields, n) == 0;
    map_free(&m);
    if (!ok) {
        io_csv_names_free(names, n);
        return NULL;
    }
    return names;
}

void io_csv_names_free(char **names, size_t n)
{
    for (size_t i = 0; names != NULL && i < n; i++)
        free(names[i]);
    free(names);
}
