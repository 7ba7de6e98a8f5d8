/* Glue for contract_sum.h: a contract sum's file or text in, its blocks,
 * business cases and tables with the computed balances and audit out as
 * the dict apportion.contract reads.  Money is int pence; a printed
 * figure is (pence, resolution), or None when the paper does not print
 * it. */
#include "glue.h"

static PyObject *block_item(const void *ctx, size_t i)
{
    const ap_contract_sum *c = ctx;
    const ap_contract_block *b = &c->blocks[i];
    return Py_BuildValue("{s:N,s:N,s:s,s:O,s:N,s:N}", "id", core_text(b->id),
                         "name", core_text(b->name), "kind",
                         ap_block_kind_name(b->kind),
                         "in_contract_sum",
                         b->in_contract_sum ? Py_True : Py_False, "amount",
                         amount_tuple(&b->amount), "non_recurring",
                         printed_obj(&b->non_recurring));
}

static PyObject *case_item(const void *ctx, size_t i)
{
    const ap_contract_sum *c = ctx;
    const ap_business_case *bc = &c->cases[i];
    PyObject *approved;
    if (bc->approved == AP_DATE_NAT) {
        approved = Py_NewRef(Py_None);
    } else {
        char buf[24];
        ap_date_format(bc->approved, buf, sizeof buf);
        approved = PyUnicode_FromString(buf);
    }
    PyObject *block = bc->has_block
                          ? core_text(c->blocks[bc->block].id)
                          : Py_NewRef(Py_None);
    PyObject *recurring = bc->recurring < 0 ? Py_NewRef(Py_None)
                                            : PyBool_FromLong(bc->recurring);
    return Py_BuildValue("{s:N,s:N,s:N,s:N,s:N,s:N,s:N}", "theme",
                         core_text(bc->theme), "project",
                         core_text(bc->project), "duration",
                         core_text(bc->duration),
                         "approved", approved, "block", block, "funding",
                         amount_tuple(&bc->amount), "recurring", recurring);
}

static PyObject *table_item_item(const void *ctx, size_t i)
{
    const ap_block_table_item *it = (const ap_block_table_item *)ctx + i;
    return Py_BuildValue("{s:N,s:n,s:N}", "project", core_text(it->project),
                         "business_case", (Py_ssize_t)it->business_case,
                         "funding", amount_tuple(&it->amount));
}

static PyObject *table_item(const void *ctx, size_t i)
{
    const ap_contract_sum *c = ctx;
    const ap_block_table *t = &c->tables[i];
    return Py_BuildValue("{s:N,s:N,s:N,s:N,s:N,s:N}", "title",
                         core_text(t->title), "block",
                         core_text(c->blocks[t->block].id), "amount",
                         printed_obj(&t->amount), "items",
                         list_of(t->items, t->n_items, table_item_item),
                         "total", printed_obj(&t->total),
                         "balance_outstanding", printed_obj(&t->balance));
}

static PyObject *block_result_item(const void *ctx, size_t i)
{
    const ap_block_result *b = (const ap_block_result *)ctx + i;
    PyObject *nr = b->has_non_recurring ? PyLong_FromLongLong(b->non_recurring)
                                        : Py_NewRef(Py_None);
    return Py_BuildValue("{s:L,s:L,s:L,s:n,s:N}", "amount",
                         (long long)b->amount, "agreed", (long long)b->agreed,
                         "balance", (long long)b->balance, "n_cases",
                         (Py_ssize_t)b->n_cases, "non_recurring", nr);
}

static PyObject *contract_result(const ap_contract_sum_result *r)
{
    PyObject *by_authority;
    if (r->n_authorities == 0)
        by_authority = Py_NewRef(Py_None);
    else
        by_authority = Py_BuildValue(
            "{s:N,s:N,s:N}", "block_shares",
            int64_rows(r->block_shares, r->n_blocks, r->n_authorities),
            "contract_sum", int64_list(r->contract_sum_shares,
                                       r->n_authorities),
            "provisions", int64_list(r->provision_shares, r->n_authorities));
    return Py_BuildValue(
        "{s:N,s:L,s:L,s:L,s:L,s:N,s:N}", "blocks",
        list_of(r->blocks, r->n_blocks, block_result_item), "contract_sum",
        (long long)r->contract_sum, "provisions", (long long)r->provisions,
        "agreed", (long long)r->agreed, "unallocated",
        (long long)r->unallocated, "by_authority", by_authority, "audit",
        audit_report_dict(r->audit));
}

static PyObject *contract_dict(const ap_contract_sum *c,
                               const ap_contract_sum_result *r)
{
    return Py_BuildValue(
        "{s:N,s:N,s:N,s:N,s:s,s:N,s:N,s:N,s:N,s:N,s:N,s:N}", "source",
        core_text(c->source), "title", str_or_none(c->title),
        "financial_year", str_or_none(c->financial_year), "as_of",
        str_or_none(c->as_of), "unit", ap_unit_name(c->unit), "authorities",
        authorities_list(c->authorities, c->n_authorities), "split",
        split_dict(c->has_split, &c->split, c->n_authorities),
        "contract_sum", printed_obj(&c->stated_contract_sum), "blocks",
        list_of(c, c->n_blocks, block_item), "business_cases",
        list_of(c, c->n_cases, case_item), "tables",
        list_of(c, c->n_tables, table_item), "result", contract_result(r));
}

PAPER_FINISH(finish_contract, ap_contract_sum, ap_contract_sum_result,
             ap_contract_sum_compute, contract_dict,
             ap_contract_sum_result_free, ap_contract_sum_free, 0)

PAPER_READERS(contract_sum, ap_contract_sum, "contract sum",
              ap_contract_sum_parse, finish_contract,
              "The contract sum in the file at path and its computed\n"
              "results, as a dict.",
              "The contract sum in text (source names it in messages) and\n"
              "its results, as a dict.")

PAPER_TABLE(contract_sum);
