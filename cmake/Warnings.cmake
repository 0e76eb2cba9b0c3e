# Warnings, sanitizers and the settings every internal target shares.
function(dfsum_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wpedantic
    $<$<COMPILE_LANGUAGE:C>:-Wmissing-prototypes -Wstrict-prototypes>
    $<$<BOOL:${DFSUM_WERROR}>:-Werror>)
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
endfunction()

function(dfsum_internal_target target)
  dfsum_warnings(${target})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden)
  target_compile_definitions(${target} PRIVATE DFSUM_BUILDING)
endfunction()

if(DFSUM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
