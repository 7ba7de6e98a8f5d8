/* Reading a contract sum in blocks from JSON into an ap_contract_sum.
 *
 * Strict like the plan reader: unknown and duplicate keys, numbers where
 * money text is expected, a business case naming a block nobody declared,
 * a table item naming no business case: each is an error that names the
 * JSON path, line and column.  The contract sum may also be the
 * "contract_sum" member of a plan file (ap__fr_model_root), every error
 * path then starting "$.contract_sum". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "papers/finance_read.h"
#include "base/text.h"

static const ap__jr_format contract_format = {
    .name = "contract sum",
    .tag = AP_CONTRACT_SUM_FORMAT,
    .what_is = "a contract-sum file is",
    .integer = "an integer",
    .anonymous = "<contract sum>",
    .max_bytes = (size_t)1 << 30,
};

const char *ap_block_kind_name(ap_block_kind kind)
{
    switch (kind) {
    case AP_BLOCK_CORE: return "core";
    case AP_BLOCK_ITEMS: return "items";
    case AP_BLOCK_PROVISION: return "provision";
    }
    return "";
}

static ap_status read_block(ap__jr *jr, const cJSON *b, const char *p,
                            size_t i, size_t n, void *ctx)
{
    static const char *const kinds[] = {"core", "items", "provision",
                                        NULL};
    ap_contract_sum *c = ctx;
    ap_contract_block *blk = AP__JR_ELEMENT(c->blocks, c->n_blocks, i, n);
    if (blk == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    char q[AP__JR_PATH_SIZE];
    ap_printed amount;
    if ((st = ap__jr_string(jr, b, p, "id", 1, NULL, &blk->id)) ||
        (st = ap__jr_string(jr, b, p, "name", 0, "", &blk->name)) ||
        (st = ap__fr_money(jr, b, p, "amount", c->unit, AP__FR_REQUIRED,
                           &amount)) ||
        (st = ap__fr_money(jr, b, p, "non_recurring", c->unit, 0,
                           &blk->non_recurring)))
        return st;
    blk->amount = amount.amount;
    ap__jr_key_path(q, p, "id");
    if (blk->id[0] == '\0')
        return ap__jr_fail(jr, ap__jr_member(b, "id"), q,
                           "a block id cannot be empty");
    for (size_t j = 0; j < i; j++)
        if (strcmp(c->blocks[j].id, blk->id) == 0)
            return ap__jr_fail(jr, ap__jr_member(b, "id"), q,
                               "block \"%s\" is declared twice",
                               blk->id);
    ap__jr_key_path(q, p, "kind");
    size_t k;
    if ((st = ap__jr_required_choice(jr, b, "kind", q,
                                     " (\"core\", \"items\" or "
                                     "\"provision\")",
                                     kinds, &k)))
        return st;
    blk->kind = (ap_block_kind)k;
    blk->in_contract_sum = blk->kind != AP_BLOCK_PROVISION;
    const cJSON *in = ap__jr_member(b, "in_contract_sum");
    if (in != NULL) {
        ap__jr_key_path(q, p, "in_contract_sum");
        if (!cJSON_IsBool(in))
            return ap__jr_fail(jr, in, q, "expected true or false, "
                               "found %s",
                               ap__jr_type_name(in));
        blk->in_contract_sum = cJSON_IsTrue(in);
    }
    if (blk->non_recurring.present && blk->kind == AP_BLOCK_CORE) {
        ap__jr_key_path(q, p, "non_recurring");
        return ap__jr_fail(jr, ap__jr_member(b, "non_recurring"), q,
                           "core funding has no business cases to be "
                           "non-recurring; give non_recurring on an "
                           "\"items\" or \"provision\" block");
    }
    return AP_OK;
}

static ap_status read_blocks(ap__jr *jr, ap_contract_sum *c,
                             const cJSON *root, const char *root_path)
{
    static const char *const keys[] = {
        "id",     "name",          "kind",          "amount",
        "amount_pence", "in_contract_sum", "non_recurring",
        "non_recurring_pence", NULL};
    char path[AP__JR_PATH_SIZE];
    ap__jr_key_path(path, root_path, "blocks");
    const cJSON *arr = ap__jr_member(root, "blocks");
    if (arr == NULL)
        return ap__jr_fail(jr, root, path, "missing required key \"blocks\"");
    static const ap__jr_objects how = {
        .what = "a non-empty array of blocks",
        .empty = "expected a non-empty array of blocks, found an empty array",
        .keys = keys,
        .each = read_block};
    return ap__jr_each_object(jr, arr, path, &how, c);
}

/* A block named by id, or null for none. */
static ap_status read_block_ref(ap__jr *jr, const ap_contract_sum *c,
                                const cJSON *obj, const char *path,
                                int allow_null, int *has, size_t *out)
{
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, "block");
    const cJSON *node = ap__jr_member(obj, "block");
    *has = 0;
    if (node == NULL || (allow_null && cJSON_IsNull(node))) {
        if (!allow_null)
            return ap__jr_fail(jr, obj, p, "missing required key \"block\"");
        return AP_OK;
    }
    if (!cJSON_IsString(node))
        return ap__jr_fail(jr, node, p, "expected a block id as text such as "
                           "\"3\"%s, found %s",
                           allow_null ? " (or null for none)" : "",
                           ap__jr_type_name(node));
    for (size_t j = 0; j < c->n_blocks; j++)
        if (strcmp(c->blocks[j].id, node->valuestring) == 0) {
            *has = 1;
            *out = j;
            return AP_OK;
        }
    char list[200] = "";
    size_t used = 0;
    for (size_t j = 0; j < c->n_blocks; j++) {
        int w = snprintf(list + used, sizeof list - used, "%s\"%s\"",
                         j ? ", " : "", c->blocks[j].id);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
    }
    return ap__jr_fail(jr, node, p, "unknown block \"%s\"; the blocks are: "
                       "%s",
                       node->valuestring, list);
}

static ap_status read_case(ap__jr *jr, const cJSON *b, const char *p,
                           size_t i, size_t n, void *ctx)
{
    ap_contract_sum *c = ctx;
    ap_business_case *bc = AP__JR_ELEMENT(c->cases, c->n_cases, i, n);
    if (bc == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    char q[AP__JR_PATH_SIZE];
    bc->approved = AP_DATE_NAT;
    bc->recurring = -1;
    ap_printed funding;
    if ((st = ap__jr_string(jr, b, p, "theme", 0, "", &bc->theme)) ||
        (st = ap__jr_string(jr, b, p, "project", 1, NULL,
                            &bc->project)) ||
        (st = ap__jr_string(jr, b, p, "duration", 0, "",
                            &bc->duration)) ||
        (st = read_block_ref(jr, c, b, p, 1, &bc->has_block,
                             &bc->block)) ||
        (st = ap__fr_money(jr, b, p, "funding", c->unit,
                           AP__FR_REQUIRED, &funding)))
        return st;
    bc->amount = funding.amount;
    const cJSON *date = ap__jr_member(b, "approved");
    if (date != NULL) {
        ap__jr_key_path(q, p, "approved");
        if (!cJSON_IsString(date))
            return ap__jr_fail(jr, date, q, "expected a date such as "
                               "\"2024-02-01\", found %s",
                               ap__jr_type_name(date));
        if (ap_date_parse(date->valuestring, (size_t)-1, &bc->approved,
                          jr->err) != AP_OK)
            return ap__jr_refail(jr, date, q);
    }
    const cJSON *rec = ap__jr_member(b, "recurring");
    if (rec != NULL) {
        ap__jr_key_path(q, p, "recurring");
        if (!cJSON_IsBool(rec))
            return ap__jr_fail(jr, rec, q, "expected true or false, "
                               "found %s",
                               ap__jr_type_name(rec));
        bc->recurring = cJSON_IsTrue(rec);
    }
    if (bc->has_block && c->blocks[bc->block].kind == AP_BLOCK_CORE) {
        ap__jr_key_path(q, p, "block");
        return ap__jr_fail(jr, ap__jr_member(b, "block"), q,
                           "block \"%s\" is core funding, which business "
                           "cases do not draw on",
                           c->blocks[bc->block].id);
    }
    for (size_t j = 0; j < i; j++) {
        const ap_business_case *o = &c->cases[j];
        if (strcmp(o->project, bc->project) == 0 &&
            o->has_block == bc->has_block &&
            (!bc->has_block || o->block == bc->block)) {
            ap__jr_key_path(q, p, "project");
            return ap__jr_fail(jr, ap__jr_member(b, "project"), q,
                               "business case \"%s\" is listed twice for "
                               "the same block (also at index %zu)",
                               bc->project, j);
        }
    }
    return AP_OK;
}

static ap_status read_cases(ap__jr *jr, ap_contract_sum *c, const cJSON *root,
                            const char *root_path)
{
    static const char *const keys[] = {
        "theme",    "project",       "approved", "block", "funding",
        "funding_pence", "duration", "recurring", NULL};
    char path[AP__JR_PATH_SIZE];
    ap__jr_key_path(path, root_path, "business_cases");
    const cJSON *arr = ap__jr_member(root, "business_cases");
    if (arr == NULL)
        return AP_OK;
    static const ap__jr_objects how = {
        .what = "an array of business cases",
        .empty = NULL,
        .keys = keys,
        .each = read_case};
    return ap__jr_each_object(jr, arr, path, &how, c);
}

/* The case a table item names: the same project in the table's block,
 * else the same project funded from no block (listed as "-"). */
static int find_case(const ap_contract_sum *c, const char *project,
                     size_t block, size_t *out)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < c->n_cases; j++) {
            const ap_business_case *bc = &c->cases[j];
            if (strcmp(bc->project, project) != 0)
                continue;
            if (pass == 0 ? bc->has_block && bc->block == block
                          : !bc->has_block) {
                *out = j;
                return 1;
            }
        }
    return 0;
}

/* A table's items, each a business case of its block. */
typedef struct item_ctx {
    const ap_contract_sum *c;
    ap_block_table *tab;
} item_ctx;

static ap_status read_item(ap__jr *jr, const cJSON *it, const char *ip,
                           size_t k, size_t n, void *ctx)
{
    const ap_contract_sum *c = ((item_ctx *)ctx)->c;
    ap_block_table *tab = ((item_ctx *)ctx)->tab;
    if (k == 0 && (tab->items = calloc(n, sizeof *tab->items)) == NULL)
        return ap__jr_nomem(jr);
    ap_block_table_item *item = &tab->items[k];
    tab->n_items = k + 1;
    ap_printed funding;
    ap_status st;
    if ((st = ap__jr_string(jr, it, ip, "project", 1, NULL,
                            &item->project)) ||
        (st = ap__fr_money(jr, it, ip, "funding", c->unit, AP__FR_REQUIRED,
                           &funding)))
        return st;
    item->amount = funding.amount;
    char pp[AP__JR_PATH_SIZE];
    ap__jr_key_path(pp, ip, "project");
    if (!find_case(c, item->project, tab->block, &item->business_case))
        return ap__jr_fail(jr, ap__jr_member(it, "project"), pp,
                           "no business case \"%s\" in block \"%s\" "
                           "(or in no block) under $.business_cases",
                           item->project, c->blocks[tab->block].id);
    for (size_t j = 0; j < k; j++)
        if (tab->items[j].business_case == item->business_case)
            return ap__jr_fail(jr, ap__jr_member(it, "project"), pp,
                               "\"%s\" is listed twice in this table",
                               item->project);
    return AP_OK;
}

static ap_status read_table(ap__jr *jr, const cJSON *t, const char *p,
                            size_t i, size_t n, void *ctx)
{
    static const char *const item_keys[] = {"project", "funding",
                                            "funding_pence", NULL};
    ap_contract_sum *c = ctx;
    ap_block_table *tab = AP__JR_ELEMENT(c->tables, c->n_tables, i, n);
    if (tab == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    char q[AP__JR_PATH_SIZE];
    int has_block;
    if ((st = ap__jr_string(jr, t, p, "title", 1, NULL, &tab->title)) ||
        (st = read_block_ref(jr, c, t, p, 0, &has_block, &tab->block)) ||
        (st = ap__fr_money(jr, t, p, "amount", c->unit, 0,
                           &tab->amount)) ||
        (st = ap__fr_money(jr, t, p, "total", c->unit, AP__FR_STATED,
                           &tab->total)) ||
        (st = ap__fr_money(jr, t, p, "balance_outstanding", c->unit,
                           AP__FR_STATED, &tab->balance)))
        return st;
    ap__jr_key_path(q, p, "items");
    const cJSON *items = ap__jr_member(t, "items");
    if (items == NULL)
        return ap__jr_fail(jr, t, q, "missing required key \"items\"");
    static const ap__jr_objects how = {
        .what = "a non-empty array of items",
        .empty = "expected a non-empty array of items, found an empty array",
        .keys = item_keys,
        .each = read_item};
    item_ctx ic = {c, tab};
    return ap__jr_each_object(jr, items, q, &how, &ic);
}

static ap_status read_tables(ap__jr *jr, ap_contract_sum *c,
                             const cJSON *root, const char *root_path)
{
    static const char *const keys[] = {
        "title",         "block",          "amount",  "amount_pence",
        "items",         "total",          "total_pence",
        "balance_outstanding", "balance_outstanding_pence", NULL};
    char path[AP__JR_PATH_SIZE];
    ap__jr_key_path(path, root_path, "tables");
    const cJSON *arr = ap__jr_member(root, "tables");
    if (arr == NULL)
        return AP_OK;
    static const ap__jr_objects how = {
        .what = "an array of tables",
        .empty = NULL,
        .keys = keys,
        .each = read_table};
    return ap__jr_each_object(jr, arr, path, &how, c);
}

/* The contract sum at the root of its own file or under "contract_sum" in
 * a plan file (ap__fr_model_root): every path below starts from where it
 * is. */
static ap_status read_contract_sum(ap__jr *jr, void *model)
{
    ap_contract_sum *c = model;
    static const char *const keys[] = {
        "$schema",     "format",       "title",  "source",  "notes",
        "financial_year", "as_of",     "unit",   "authorities", "split",
        "contract_sum", "contract_sum_pence", "blocks", "business_cases",
        "tables",      NULL};
    const cJSON *root;
    char path[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap_status st = ap__fr_model_root(jr, AP_CONTRACT_SUM_FORMAT,
                                     "contract_sum", &root, path);
    if (st != AP_OK || (st = ap__jr_check_object(jr, root, path, keys)) ||
        (st = ap__fr_notes(jr, root, path)) ||
        (st = ap__fr_model_unit(jr, root, path, &c->unit)) ||
        (st = ap__jr_string(jr, root, path, "title", 0, "", &c->title)) ||
        (st = ap__jr_string(jr, root, path, "financial_year", 0, "",
                            &c->financial_year)) ||
        (st = ap__jr_string(jr, root, path, "as_of", 0, "", &c->as_of)))
        return st;
    if (c->as_of[0] != '\0') {
        int64_t day;
        if (ap_date_parse(c->as_of, (size_t)-1, &day, jr->err) != AP_OK) {
            ap__jr_key_path(p, path, "as_of");
            return ap__jr_refail(jr, ap__jr_member(root, "as_of"), p);
        }
    }
    if ((st = ap__fr_authorities_split(jr, root, path,
                                       "how they share the contract sum",
                                       &c->authorities, &c->n_authorities,
                                       &c->split, &c->has_split)) ||
        (st = ap__fr_money(jr, root, path, "contract_sum", c->unit,
                           AP__FR_STATED, &c->stated_contract_sum)) ||
        (st = read_blocks(jr, c, root, path)) ||
        (st = read_cases(jr, c, root, path)) ||
        (st = read_tables(jr, c, root, path)))
        return st;
    return AP_OK;
}

AP__JR_ENTRY_POINTS(ap_contract_sum, ap_contract_sum_parse,
                    ap_contract_sum_load, ap_contract_sum_free,
                    contract_format, read_contract_sum, NULL, 0)

void ap_contract_sum_free(ap_contract_sum *c)
{
    if (c == NULL)
        return;
    free(c->source);
    free(c->title);
    free(c->financial_year);
    free(c->as_of);
    ap__fr_split_free(&c->split, c->n_authorities);
    ap__fr_authorities_free(c->authorities, c->n_authorities);
    for (size_t i = 0; i < c->n_blocks; i++) {
        free(c->blocks[i].id);
        free(c->blocks[i].name);
    }
    free(c->blocks);
    for (size_t i = 0; i < c->n_cases; i++) {
        free(c->cases[i].theme);
        free(c->cases[i].project);
        free(c->cases[i].duration);
    }
    free(c->cases);
    for (size_t i = 0; i < c->n_tables; i++) {
        free(c->tables[i].title);
        for (size_t k = 0; k < c->tables[i].n_items; k++)
            free(c->tables[i].items[k].project);
        free(c->tables[i].items);
    }
    free(c->tables);
    free(c);
}
