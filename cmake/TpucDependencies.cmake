# Finds every third-party package tpuc builds against. All come from Debian
# packages installed by scripts/install-deps.sh.

find_package(MLIR 19.1 REQUIRED CONFIG HINTS /usr/lib/llvm-19/lib/cmake/mlir)
message(STATUS "Using MLIR ${MLIR_PACKAGE_VERSION} from ${MLIR_DIR}")
set(LLVM_RUNTIME_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/bin)
set(LLVM_LIBRARY_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/lib)
set(MLIR_BINARY_DIR ${CMAKE_BINARY_DIR})
list(APPEND CMAKE_MODULE_PATH ${MLIR_CMAKE_DIR} ${LLVM_CMAKE_DIR})
# Only the TableGen helpers: HandleLLVMOptions would force -fno-exceptions,
# which the OpenCV and protobuf code paths need.
include(TableGen)
include(AddLLVM)
include(AddMLIR)

# mlir_tablegen() reads the directory-level include path.
include_directories(SYSTEM ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
separate_arguments(TPUC_LLVM_DEFINITIONS NATIVE_COMMAND ${LLVM_DEFINITIONS})

add_library(tpuc_mlir_deps INTERFACE)
target_compile_definitions(tpuc_mlir_deps INTERFACE ${TPUC_LLVM_DEFINITIONS})
# libMLIR.so has no link interface to libLLVM.so: both must be named.
target_link_libraries(tpuc_mlir_deps INTERFACE MLIR LLVM)
if(NOT LLVM_ENABLE_RTTI)
  target_compile_options(tpuc_mlir_deps INTERFACE -fno-rtti)
endif()

# Debian's dnnl-config.cmake insists on OpenCL (its GPU runtime); tpuc uses
# only the CPU engine, so the library is found directly.
find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp REQUIRED)
find_library(DNNL_LIBRARY NAMES dnnl REQUIRED)
add_library(DNNL::dnnl UNKNOWN IMPORTED)
set_target_properties(DNNL::dnnl PROPERTIES
  IMPORTED_LOCATION ${DNNL_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${DNNL_INCLUDE_DIR})
# Debian's libzip-config.cmake also requires the libzip-tools binaries.
find_path(LIBZIP_INCLUDE_DIR zip.h REQUIRED)
find_library(LIBZIP_LIBRARY NAMES zip REQUIRED)
add_library(libzip::zip UNKNOWN IMPORTED)
set_target_properties(libzip::zip PROPERTIES
  IMPORTED_LOCATION ${LIBZIP_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${LIBZIP_INCLUDE_DIR})
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)
find_package(GTest REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# ONNX frontend: protobuf must be found before ONNX (onnx_proto links it).
find_package(Protobuf REQUIRED)
find_package(ONNX CONFIG REQUIRED)

# OpenCV: Debian's per-module -dev packages ship no CMake config (only the
# libopencv-dev meta-package does), so fall back to the headers and libraries.
find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs)
if(OpenCV_FOUND)
  set(TPUC_OPENCV_LIBS opencv_core opencv_imgproc opencv_imgcodecs)
else()
  find_path(TPUC_OPENCV_INCLUDE opencv2/core.hpp PATH_SUFFIXES opencv4 REQUIRED)
  set(TPUC_OPENCV_LIBS)
  foreach(module core imgproc imgcodecs)
    find_library(TPUC_OPENCV_${module} NAMES opencv_${module} REQUIRED)
    list(APPEND TPUC_OPENCV_LIBS ${TPUC_OPENCV_${module}})
  endforeach()
  add_library(tpuc_opencv INTERFACE)
  target_include_directories(tpuc_opencv SYSTEM INTERFACE ${TPUC_OPENCV_INCLUDE})
  target_link_libraries(tpuc_opencv INTERFACE ${TPUC_OPENCV_LIBS})
  set(TPUC_OPENCV_LIBS tpuc_opencv)
endif()
