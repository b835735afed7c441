# pytest suites under tests/py, run with the Debian interpreter (it sees python3-* packages).
find_package(Python COMPONENTS Interpreter)
if(Python_Interpreter_FOUND)
  add_test(NAME pytest_cli COMMAND ${Python_EXECUTABLE} -m pytest -q -p no:cacheprovider ${CMAKE_SOURCE_DIR}/tests/py)
  set_tests_properties(pytest_cli PROPERTIES
    ENVIRONMENT "MCSIM_BIN_DIR=${CMAKE_BINARY_DIR}/bin;MCSIM_PYTHON_DIR=${CMAKE_BINARY_DIR}/python;MCSIM_SHARED_DIR=${MCSIM_SHARED_DIR};MCSIM_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
    TIMEOUT 900)
endif()
