# Finds libopt's dependencies and makes imported targets LOPT::cblas, LOPT::lapacke, LOPT::cholmod.
# Used when building libopt and again by find_package(libopt) for users. Each failure names the
# Debian package that provides what is missing.

function(_lopt_require var what package)
  if(NOT ${var})
    message(FATAL_ERROR "libopt: ${what} was not found. On Debian/Ubuntu install it with: "
                        "apt-get install ${package}")
  endif()
endfunction()

if(NOT TARGET LOPT::cblas)
  find_path(LOPT_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas x86_64-linux-gnu/openblas-pthread)
  find_library(LOPT_CBLAS_LIBRARY NAMES openblas cblas blas)
  _lopt_require(LOPT_CBLAS_INCLUDE_DIR "the CBLAS header cblas.h (OpenBLAS)" libopenblas-dev)
  _lopt_require(LOPT_CBLAS_LIBRARY "the OpenBLAS library (CBLAS)" libopenblas-dev)
  add_library(LOPT::cblas INTERFACE IMPORTED)
  set_target_properties(LOPT::cblas PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${LOPT_CBLAS_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${LOPT_CBLAS_LIBRARY}")
endif()

if(NOT TARGET LOPT::lapacke)
  find_path(LOPT_LAPACKE_INCLUDE_DIR lapacke.h)
  find_library(LOPT_LAPACKE_LIBRARY NAMES lapacke)
  _lopt_require(LOPT_LAPACKE_INCLUDE_DIR "the LAPACKE header lapacke.h" liblapacke-dev)
  _lopt_require(LOPT_LAPACKE_LIBRARY "the LAPACKE library" liblapacke-dev)
  add_library(LOPT::lapacke INTERFACE IMPORTED)
  set_target_properties(LOPT::lapacke PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${LOPT_LAPACKE_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${LOPT_LAPACKE_LIBRARY};LOPT::cblas")
endif()

if(NOT TARGET LOPT::cholmod)
  find_path(LOPT_CHOLMOD_INCLUDE_DIR cholmod.h PATH_SUFFIXES suitesparse)
  find_library(LOPT_CHOLMOD_LIBRARY NAMES cholmod)
  find_library(LOPT_SUITESPARSECONFIG_LIBRARY NAMES suitesparseconfig)
  _lopt_require(LOPT_CHOLMOD_INCLUDE_DIR "the SuiteSparse CHOLMOD header cholmod.h" libsuitesparse-dev)
  _lopt_require(LOPT_CHOLMOD_LIBRARY "the SuiteSparse CHOLMOD library" libsuitesparse-dev)
  _lopt_require(LOPT_SUITESPARSECONFIG_LIBRARY "the SuiteSparse config library" libsuitesparse-dev)
  add_library(LOPT::cholmod INTERFACE IMPORTED)
  set_target_properties(LOPT::cholmod PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${LOPT_CHOLMOD_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${LOPT_CHOLMOD_LIBRARY};${LOPT_SUITESPARSECONFIG_LIBRARY}")
endif()

find_package(OpenMP COMPONENTS C QUIET)
