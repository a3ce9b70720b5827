# lit configuration for tpuc: FileCheck tests of ops, passes and tools.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "TPUC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tpuc_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py", "unit", "models"]

llvm_config.use_default_substitutions()
# lit runs many tools at once on few cores: OpenMP threads that spin while
# waiting would starve each other (libgomp reads this only at start-up).
config.environment["OMP_WAIT_POLICY"] = "passive"

# The onnxruntime cache lives under $HOME, which lit does not pass on.
for var in ["HOME", "TPUC_CACHE"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["tpuc-opt", "model_runner", "npz_tool", "model_transform",
     "tpuc-onnx-import", "run_calibration", "model_deploy",
     "model_deploy.py", "model_eval", "run_qtable", "run_qtable.py"],
    [config.tpuc_tools_dir])

# The test-input generators share python/ (png_writer.py).
config.environment["PYTHONPATH"] = os.path.join(config.tpuc_src_root, "python")
# numpy is only visible to Debian's python3, not to other pythons on PATH.
config.substitutions.append(("%python", config.system_python))
config.substitutions.append(("%tpuc_src", config.tpuc_src_root))

shared = os.path.join(config.tpuc_src_root, "..", "shared")
if os.path.isdir(os.path.join(shared, "models")):
    config.available_features.add("shared")
    config.substitutions.append(("%shared", os.path.abspath(shared)))
if shutil.which("node"):
    config.available_features.add("node")
