#!/usr/bin/env node
// One onnxruntime session for many runs (model_eval evaluates datasets):
//   node ort_serve.js model.onnx [--threads N] [--outputs a,b]
// Prints "ready" once the session is created; then, for every stdin line
// "IN.npz<TAB>OUT.npz", runs the model on IN (inputs by name, cast to the
// model's types) and writes OUT (the outputs as float32), printing "ok".
// Errors go to stderr as one line and end the process with status 1.
'use strict';
const readline = require('readline');
const {readNpz, writeNpz} = require('./npz');

function fail(msg) {
  process.stderr.write(`ort_serve: error: ${msg}\n`);
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

async function runOne(session, fetches, input, output) {
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
  let results;
  try {
    results = await session.run(feeds, fetches);
  } catch (e) {
    fail(`${e.message.split('\n')[0]}`);
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
  if (pos.length !== 1)
    fail('usage: ort_serve.js model.onnx [--threads N] [--outputs a,b]');
  const model = pos[0];
  // Idle onnxruntime threads would spin between requests and slow down
  // whatever runs in between (the other stage of model_eval).
  const options = {
    graphOptimizationLevel: 'all',
    extra: {session: {intra_op: {allow_spinning: '0'},
                      inter_op: {allow_spinning: '0'}}},
  };
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
  const fetches = wanted || session.outputNames;
  for (const name of fetches)
    if (!session.outputNames.includes(name))
      fail(`${model}: no output '${name}'`);
  process.stdout.write('ready\n');
  const lines = readline.createInterface({input: process.stdin});
  for await (const line of lines) {
    if (!line.trim()) continue;
    const [input, output] = line.split('\t');
    if (!output) fail(`bad request '${line}' (expected IN.npz<TAB>OUT.npz)`);
    await runOne(session, fetches, input, output);
    process.stdout.write('ok\n');
  }
}

main();
