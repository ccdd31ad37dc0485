# hermod_library(NAME [COROUTINES] [DIR dir] [SUBDIRS dir...] [DEPS lib...])
#   One static library per concern folder: every *.cpp in DIR (default: the current source dir)
#   and in the listed sub-folders of it. Headers are included as "<folder>/<file>.hpp" from src/.
#   COROUTINES: the library runs Asio coroutine sessions (see below).
function(hermod_library name)
  cmake_parse_arguments(ARG "COROUTINES" "DIR" "DEPS;SUBDIRS" ${ARGN})
  set(dir "${CMAKE_CURRENT_SOURCE_DIR}")
  if(ARG_DIR)
    set(dir "${dir}/${ARG_DIR}")
  endif()
  set(patterns "${dir}/*.cpp")
  foreach(sub IN LISTS ARG_SUBDIRS)
    list(APPEND patterns "${dir}/${sub}/*.cpp")
  endforeach()
  file(GLOB sources CONFIGURE_DEPENDS ${patterns})
  if(NOT sources)
    message(FATAL_ERROR "hermod_library(${name}): no sources in ${dir}")
  endif()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  if(ARG_COROUTINES AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION
                                                                  VERSION_LESS 13)
    # GCC 12 reports -Wmismatched-new-delete on Asio coroutine frames at -O2 (a known false
    # positive: the frame is allocated and freed by the coroutine machinery itself).
    target_compile_options(${name} PRIVATE -Wno-mismatched-new-delete)
  endif()
endfunction()
