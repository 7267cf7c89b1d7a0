# hv_add_test_binary(TARGET PREFIX SOURCES...): a testlib test program whose every case becomes its own
# ctest test "PREFIX.case". After each build the binary writes the add_test() lines itself
# (--ctest-script), and ctest reads them through TEST_INCLUDE_FILES, the mechanism gtest_discover_tests
# uses, so no list of cases is kept by hand.
function(hv_add_test_binary target prefix)
  add_executable(${target} ${ARGN} ${PROJECT_SOURCE_DIR}/harness/testlib/testlib_main.c)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/harness/testlib)
  target_compile_options(${target} PRIVATE ${HVKIT_SAN_FLAGS} ${HVKIT_COV_FLAGS})
  target_link_options(${target} PRIVATE ${HVKIT_SAN_FLAGS} ${HVKIT_COV_FLAGS})
  set(script ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND $<TARGET_FILE:${target}> --ctest-script ${prefix} $<TARGET_FILE:${target}> > ${script}
    VERBATIM)
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${script})
endfunction()
