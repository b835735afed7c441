# Replay-only fuzz smoke test (cheap enough for every CI run): each libFuzzer target of
# tests/fuzz is compiled as a normal executable with tests/fuzz/standalone_main.cpp (no
# libFuzzer, any compiler; under ASan/UBSan in the MCSIM_SANITIZE build) and run over its
# regression reproducers (tests/fuzz/regressions/<target>) and a small committed seed set.
# Fuzzing proper is tests/fuzz/run.sh with the separate -DMCSIM_FUZZ=ON clang build.
set(_fz ${CMAKE_SOURCE_DIR}/tests/fuzz)
set(_fz_seeds_fuzz_wire ${_fz}/seeds/fuzz_wire)
set(_fz_seeds_fuzz_pcap ${CMAKE_SOURCE_DIR}/scenarios/captures)
set(_fz_seeds_fuzz_scenario ${CMAKE_SOURCE_DIR}/scenarios/seed ${CMAKE_SOURCE_DIR}/scenarios/router
    ${CMAKE_SOURCE_DIR}/scenarios/switch)
set(_fz_seeds_fuzz_sockopt ${_fz}/seeds/fuzz_sockopt)
set(_fz_seeds_fuzz_router ${_fz}/seeds/fuzz_router)
set(_fz_seeds_fuzz_ch395 ${_fz}/seeds/fuzz_ch395)
foreach(t fuzz_wire fuzz_pcap fuzz_scenario fuzz_sockopt fuzz_router fuzz_ch395)
  add_executable(${t}_replay ${_fz}/${t}.cpp ${_fz}/standalone_main.cpp)
  target_include_directories(${t}_replay PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(${t}_replay PRIVATE mcsim_sim mcsim_pcap mcsim_stack)
  add_test(NAME fuzz_replay_${t} COMMAND ${t}_replay ${_fz}/regressions/${t} ${_fz_seeds_${t}})
  set_tests_properties(fuzz_replay_${t} PROPERTIES TIMEOUT 300 LABELS fuzz)
endforeach()
