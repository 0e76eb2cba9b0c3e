// describe_stream.cpp - a C++ program that describes data arriving in
// batches (a sensor feed, a simulation's time steps) without keeping it:
// each batch is added and dropped; memory grows only with what quantiles
// need. Handles are owned by std::unique_ptr with the library's frees.
//
//   c++ -std=c++17 describe_stream.cpp $(pkg-config --cflags --libs dfsum)
#include <dfsum.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

struct session_free {
    void operator()(dfsum *d) const
    {
        dfsum_free(d);
    }
};
struct frame_free {
    void operator()(dfsum_frame *f) const
    {
        dfsum_frame_free(f);
    }
};
struct result_free {
    void operator()(dfsum_result *r) const
    {
        dfsum_result_free(r);
    }
};
using session = std::unique_ptr<dfsum, session_free>;
using frame = std::unique_ptr<dfsum_frame, frame_free>;
using result = std::unique_ptr<dfsum_result, result_free>;

void check(dfsum_status st, const char *msg)
{
    if (st != DFSUM_OK)
        throw std::runtime_error(std::string(dfsum_strerror(st)) + ": " + msg);
}

// One batch of readings: step s holds 1000 values, every 50th missing.
void fill_batch(int step, std::vector<double> &level,
                std::vector<std::int64_t> &count, std::vector<uint8_t> &ok)
{
    for (std::size_t i = 0; i < level.size(); i++) {
        std::int64_t k = step * 1000 + static_cast<std::int64_t>(i);
        level[i] = (k % 50 == 0) ? NAN : static_cast<double>(k % 997) / 4.0;
        count[i] = k % 7;
        ok[i] = k % 3 != 0;
    }
}

} // namespace

int main()
try {
    dfsum *raw_d = nullptr;
    check(dfsum_create(&raw_d), "cannot create a session");
    session d(raw_d);
    const double pct[] = {0.05, 0.95};
    check(dfsum_set_percentiles(d.get(), pct, 2), dfsum_errmsg(d.get()));
    dfsum_frame *raw_f = nullptr;
    check(dfsum_frame_create(d.get(), &raw_f), dfsum_errmsg(d.get()));
    frame f(raw_f);

    std::vector<double> level(1000);
    std::vector<std::int64_t> count(1000);
    std::vector<uint8_t> ok(1000);
    for (int step = 0; step < 100; step++) {
        fill_batch(step, level, count, ok);
        check(dfsum_frame_add_double(f.get(), "level", level.data(),
                                     level.size(), nullptr),
              dfsum_frame_errmsg(f.get()));
        check(dfsum_frame_add_int64(f.get(), "count", count.data(),
                                    count.size(), ok.data()),
              dfsum_frame_errmsg(f.get()));
    }
    dfsum_result *raw_r = nullptr;
    check(dfsum_frame_describe(f.get(), &raw_r), dfsum_frame_errmsg(f.get()));
    result r(raw_r);
    check(dfsum_result_write(r.get(), DFSUM_FORMAT_CSV, 0, 0, stdout),
          "cannot write");
    std::size_t mean = dfsum_result_find_row(r.get(), DFSUM_STAT_MEAN);
    std::printf("mean of %s: %.6f\n", dfsum_result_name(r.get(), 0),
                dfsum_result_cell(r.get(), mean, 0).f);
    return 0;
} catch (const std::exception &e) {
    std::fprintf(stderr, "describe_stream: %s\n", e.what());
    return 1;
}
