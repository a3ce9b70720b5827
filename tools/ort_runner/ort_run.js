#!/usr/bin/env node
// Runs an ONNX model with onnxruntime (the reference engine of tpuc's tests):
//   node ort_run.js model.onnx in.npz out.npz [--threads N] [--outputs a,b]
// Inputs are matched by name and cast to the model's input types; outputs
// are written as float32 (bool and integer outputs converted by value).
'use strict';
const path = require('path');
const {readNpz, writeNpz} = require('./npz');

function fail(msg) {
  process.stderr.write(`ort_run: error: ${msg}\n`);
  process.exit(1);
}

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  fail('onnxruntime-node is not installed (run scripts/install-ort.sh)');
}

const TYPED = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array,
  uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, int64: BigInt64Array, bool: Uint8Array,
};

function toType(values, type) {
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

async function main() {
  const args = process.argv.slice(2);
  const pos = [];
  let threads = 0;
  let wanted = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--threads') threads = Number(args[++i]);
    else if (args[i] === '--outputs') wanted = args[++i].split(',');
    else pos.push(args[i]);
  }
  if (pos.length !== 3)
    fail('usage: ort_run.js model.onnx in.npz out.npz [--threads N] ' +
         '[--outputs a,b]');
  const [model, input, output] = pos;
  const options = {graphOptimizationLevel: 'all'};
  if (threads > 0) {
    options.intraOpNumThreads = threads;
    options.interOpNumThreads = 1;
  }
  let session;
  try {
    session = await ort.InferenceSession.create(model, options);
  } catch (e) {
    fail(`${model}: ${e.message.split('\n')[0]}`);
  }
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
    feeds[name] = new ort.Tensor(type, toType(a.data, type), a.shape);
  });
  const fetches = wanted || session.outputNames;
  let results;
  try {
    results = await session.run(feeds, fetches);
  } catch (e) {
    fail(`${model}: ${e.message.split('\n')[0]}`);
  }
  const out = {};
  for (const name of fetches) {
    const t = results[name];
    const f = new Float32Array(t.data.length);
    for (let i = 0; i < f.length; i++) f[i] = Number(t.data[i]);
    out[name] = {descr: '<f4', shape: t.dims,
                 bytes: Buffer.from(f.buffer, f.byteOffset, f.byteLength)};
  }
  writeNpz(output, out);
}

main();
