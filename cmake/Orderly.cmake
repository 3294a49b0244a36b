# Warnings as errors apply to our own targets only, never to generated or third-party code.
set(ORDERLY_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers)

# orderly_library(<area> SOURCES ... DEPS ...): libs/<area> as target orderly_<area>.
function(orderly_library area)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target orderly_${area})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(orderly::${area} ALIAS ${target})
  target_include_directories(${target}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_compile_options(${target} PRIVATE ${ORDERLY_WARNINGS})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# orderly_executable(<name> SOURCES ... DEPS ...)
function(orderly_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ORDERLY_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# orderly_embed_migrations(<out.cpp> COMPONENT c NAMESPACE ns FUNCTION f DIR d): compiles the
# NNNN_name.sql files of DIR into `pg::MigrationSet ns::f()`, so binaries carry their schema.
function(orderly_embed_migrations out)
  cmake_parse_arguments(ARG "" "COMPONENT;NAMESPACE;FUNCTION;DIR" "" ${ARGN})
  file(GLOB files CONFIGURE_DEPENDS "${ARG_DIR}/*.sql")
  list(SORT files)
  set(body "")
  foreach(file IN LISTS files)
    get_filename_component(name "${file}" NAME_WE)
    string(SUBSTRING "${name}" 0 4 version)
    math(EXPR version "${version}")
    file(READ "${file}" sql)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${file}")
    string(APPEND body "      {${version}, \"${name}\", R\"orderly_sql(${sql})orderly_sql\"},\n")
  endforeach()
  file(CONFIGURE OUTPUT "${out}" CONTENT "// Generated from the .sql files of the COMPONENT ${ARG_COMPONENT} migrations; edit those.
#include \"orderly/pg/migrations.h\"

namespace ${ARG_NAMESPACE} {

pg::MigrationSet ${ARG_FUNCTION}() {
  return {\"${ARG_COMPONENT}\",
    {
${body}    }};
}

}  // namespace ${ARG_NAMESPACE}
" @ONLY)
endfunction()
