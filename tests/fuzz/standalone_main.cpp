// Standalone fuzz driver: runs LLVMFuzzerTestOneInput over the files (or every file of the
// directories) named on the command line, without libFuzzer. The normal build (and the
// ASan build) links each fuzz target with it so that ctest replays the regression files
// and the committed seeds cheaply (tests/scripts/fuzz_smoke.cmake).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

static int run_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return 1;
  }
  std::vector<char> buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::uint8_t> bytes(buf.begin(), buf.end());  // exact size: ASan sees overreads
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 0;
}

int main(int argc, char** argv) {
  int files = 0, bad = 0;
  for (int a = 1; a < argc; ++a) {
    std::filesystem::path p(argv[a]);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> entries;
      for (const auto& e : std::filesystem::directory_iterator(p))
        if (e.is_regular_file()) entries.push_back(e.path());
      std::sort(entries.begin(), entries.end());
      for (const auto& e : entries) {
        bad += run_file(e);
        ++files;
      }
    } else if (std::filesystem::exists(p, ec)) {
      bad += run_file(p);
      ++files;
    } else {
      std::fprintf(stderr, "no such file or directory: %s\n", argv[a]);
      ++bad;
    }
  }
  std::printf("%s: ran %d input(s)\n", argc > 0 ? argv[0] : "fuzz", files);
  return bad ? 1 : 0;
}
