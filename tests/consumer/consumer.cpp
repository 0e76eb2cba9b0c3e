// consumer.cpp - a C++ program built against the installed library:
// describes a CSV file and an in-memory text column.
#include <dfsum.h>

#include <cstdio>
#include <memory>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    dfsum *raw = nullptr;
    if (dfsum_create(&raw) != DFSUM_OK)
        return 1;
    std::unique_ptr<dfsum, void (*)(dfsum *)> d(raw, dfsum_free);
    dfsum_result *r = nullptr;
    if (dfsum_describe_path(d.get(), argv[1], &r) != DFSUM_OK) {
        std::fprintf(stderr, "consumer: %s\n", dfsum_errmsg(d.get()));
        return 1;
    }
    dfsum_status st = dfsum_result_write(r, DFSUM_FORMAT_CSV, 0, 0, stdout);
    dfsum_result_free(r);

    const char *words[] = {"b", "a", nullptr, "a"};
    dfsum_frame *f = nullptr;
    if (st == DFSUM_OK)
        st = dfsum_frame_create(d.get(), &f);
    if (st == DFSUM_OK)
        st = dfsum_frame_add_text(f, "w", words, 4);
    if (st == DFSUM_OK)
        st = dfsum_frame_describe(f, &r);
    if (st == DFSUM_OK)
        st = dfsum_result_write(r, DFSUM_FORMAT_CSV, 0, 0, stdout);
    dfsum_result_free(r);
    dfsum_frame_free(f);
    return st != DFSUM_OK;
}
