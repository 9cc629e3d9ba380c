# What the build-time embedding scripts share (phone/cmake/embed_profiles.cmake,
# server/cmake/embed_ui.cmake, both run with cmake -P): a file as a C++ byte array and an entry of
# the table that names it, and writing the generated source only when it changed.

# Appends to the caller's `arrays` and `table`: the bytes of PATH as `const unsigned char
# <PREFIX>_<INDEX>[]` (NUL-terminated when TERMINATE is set) and the row {"NAME", array, size}.
function(easemu_embed_file path name prefix index terminate)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  set(bytes "")
  if(size GREATER 0)
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
    # One line per 32 bytes keeps the generated file readable by compilers and people.
    string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" bytes "${bytes}")
  endif()
  if(terminate)
    string(APPEND bytes "0x00")
  elseif(size EQUAL 0)
    set(bytes "0")
  endif()
  string(REPLACE "\\" "\\\\" escaped "${name}")
  string(REPLACE "\"" "\\\"" escaped "${escaped}")
  set(arrays "${arrays}// ${escaped}\nconst unsigned char ${prefix}_${index}[] = {\n${bytes}};\n" PARENT_SCOPE)
  set(table "${table}    {\"${escaped}\", ${prefix}_${index}, ${size}},\n" PARENT_SCOPE)
endfunction()

# Unchanged content keeps its time stamp: nothing recompiles for a touched input.
function(easemu_write_if_changed output text)
  if(EXISTS "${output}")
    file(READ "${output}" previous)
    if(previous STREQUAL text)
      return()
    endif()
  endif()
  file(WRITE "${output}" "${text}")
endfunction()
