// What ort_run.js (one run) and ort_serve.js (a session for many runs)
// share: loading onnxruntime-node, parsing the common flags, creating the
// session and running it from one .npz file to another.
'use strict';
const {readNpz, writeNpz} = require('./npz');

// Errors are one line on stderr and status 1: the C++ tools report the last
// stderr line.
function makeFail(tool) {
  return (msg) => {
    process.stderr.write(`${tool}: error: ${msg}\n`);
    process.exit(1);
  };
}

function loadOrt(fail) {
  try {
    return require('onnxruntime-node');
  } catch (e) {
    fail('onnxruntime-node is not installed (run scripts/install-ort.sh)');
  }
}

// `--threads N` and `--outputs a,b` anywhere; the rest are positional.
function parseArgs(args) {
  const positional = [];
  let threads = 0;
  let outputs = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--threads') threads = Number(args[++i]);
    else if (args[i] === '--outputs') outputs = args[++i].split(',');
    else positional.push(args[i]);
  }
  return {positional, threads, outputs};
}

async function createSession(ort, model, threads, extraOptions, fail) {
  const options = Object.assign({graphOptimizationLevel: 'all'}, extraOptions);
  if (threads > 0) {
    options.intraOpNumThreads = threads;
    options.interOpNumThreads = 1;
  }
  try {
    return await ort.InferenceSession.create(model, options);
  } catch (e) {
    fail(`${model}: ${e.message.split('\n')[0]}`);
  }
}

const TYPED = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array,
  uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, int64: BigInt64Array, bool: Uint8Array,
};

function toType(values, type, fail) {
  if (type === 'float32' && values instanceof Float32Array) return values;
  const Ctor = TYPED[type];
  if (!Ctor) fail(`unsupported input type ${type}`);
  const out = new Ctor(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    out[i] = type === 'int64' ? BigInt(Math.trunc(v)) :
             type === 'bool' ? (v !== 0 ? 1 : 0) : v;
  }
  return out;
}

// Runs `session` on the arrays of `input` (matched by input name and cast to
// the model's input types) and writes `fetches` to `output` as float32 (bool
// and integer outputs converted by value). A failing run is reported with
// `runPrefix` in front.
async function runNpz(ort, session, fetches, input, output, runPrefix, fail) {
  let arrays;
  try {
    arrays = readNpz(input);
  } catch (e) {
    fail(e.message);
  }
  const feeds = {};
  const meta = session.inputMetadata || [];
  session.inputNames.forEach((name, i) => {
    const a = arrays[name];
    if (!a) fail(`${input}: no tensor for model input '${name}'`);
    const info = Array.isArray(meta) ? meta[i] : meta[name];
    const type = (info && info.type) || 'float32';
    feeds[name] = new ort.Tensor(type, toType(a.data, type, fail), a.shape);
  });
  let results;
  try {
    results = await session.run(feeds, fetches);
  } catch (e) {
    fail(runPrefix + e.message.split('\n')[0]);
  }
  const out = {};
  for (const name of fetches) {
    const t = results[name];
    let f = t.data;
    if (!(f instanceof Float32Array)) {
      f = new Float32Array(t.data.length);
      for (let i = 0; i < f.length; i++) f[i] = Number(t.data[i]);
    }
    out[name] = {descr: '<f4', shape: t.dims,
                 bytes: Buffer.from(f.buffer, f.byteOffset, f.byteLength)};
  }
  writeNpz(output, out);
}

module.exports = {makeFail, loadOrt, parseArgs, createSession, runNpz};
