'use strict';
// ZkregAttestationRegistry on a real EVM (@ethereumjs/vm, in memory, offline),
// fed with attestations, batches and calldata that the real zkreg binary
// produced in this run from real proofs and real secp256k1 key files.
// TAP. Usage: node registry.test.js
// env: ZKREG, ZKR_TEST_WALLET (tests/attest's zkr-test-wallet), ZKR_HSM_DIR (a
// SoftHSM2 token with secp256k1 key "k1", tests/hsm/softhsm-setup.sh),
// ZKR_SOURCE_ROOT, ZKR_GAS_OUT (optional: where to write the gas table).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { ethers } = require('ethers');
const { compile } = require('./compile.js');
const { Chain } = require('./evm.js');

const ZKREG = process.env.ZKREG;
const WALLET = process.env.ZKR_TEST_WALLET;
const HSM_DIR = process.env.ZKR_HSM_DIR;
const SRC = process.env.ZKR_SOURCE_ROOT || path.join(__dirname, '..', '..');
const FIX = path.join(SRC, 'tests/fixtures/mlp_784_128_10.onnx');
const DATA = '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz';
const T = fs.mkdtempSync(path.join(os.tmpdir(), 'zkr-contracts.'));
const TIME = 1795000000;
const N_HALF = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

let n = 0;
let failed = 0;
const gas = [];
function ok(cond, what) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${what}`);
  return cond;
}
function diag(s) {
  for (const l of String(s).split('\n')) console.log('# ' + l);
}

// ------------------------------------------------------------ zkreg
const env = { ...process.env, ZKREG_REGISTRY: path.join(T, 'reg.db'), ZKREG_ATTEST_TIME: String(TIME) };
delete env.ZKREG_PASSPHRASE_FILE;
function z(args, extraEnv = {}) {
  return execFileSync(ZKREG, args, { env: { ...env, ...extraEnv }, encoding: 'utf8',
                                     stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}
function zfail(args, extraEnv = {}) {
  try {
    z(args, extraEnv);
    return 0;
  } catch (e) {
    return e.status;
  }
}
const R = ['--registry-passphrase-file', path.join(T, 'regpass')];
const KP = ['--passphrase-file', path.join(T, 'keypass')];

function outputBytes(infer) {
  const j = JSON.parse(infer);
  const b = Buffer.alloc(8 + j.logits.length);
  b.writeUInt32BE(j.logits.length, 0);
  j.logits.forEach((v, i) => b.writeInt8(v, 4 + i));
  b.writeUInt32BE(j.argmax, 4 + j.logits.length);
  return b;
}

function setupRegistry(deployer) {
  fs.writeFileSync(path.join(T, 'regpass'), 'contracts-registry-pass\n', { mode: 0o600 });
  fs.writeFileSync(path.join(T, 'keypass'), 'contracts-key-pass\n', { mode: 0o600 });
  z(['init', '--passphrase-file', path.join(T, 'regpass'), '--kdf', 'interactive']);
  z(['register-program', FIX]);
  const model = JSON.parse(z(['--json', 'register-model', FIX, '--program', '1', '--calibrate', DATA]));
  z(['register-dataset', DATA]);
  const schema = { name: 'fmnist', version: 1, proof_kind: 'inference@1',
                   proof_system: 'zkreg-sumcheck-basefold', parameter_set: 'goldilocks-128',
                   verifier_version: '0.2.0', public_output: true,
                   fields: [{ name: 'record_index', type: 'u64' }] };
  fs.writeFileSync(path.join(T, 'schema.json'), JSON.stringify(schema) + '\n');
  z(['register-schema', path.join(T, 'schema.json')]);
  const stmts = [];
  for (const rec of [7, 8, 9, 10]) {
    const inf = z(['--json', 'infer', '--model-file', path.join(T, 'reg.db.d/models', model.sha256),
                   '--dataset-file', DATA, '--record', String(rec)]);
    fs.writeFileSync(path.join(T, `out${rec}.bin`), outputBytes(inf));
    const st = JSON.parse(z(['--json', 'register-statement', '--schema', 'fmnist@1', '--program', '1',
                             '--model', '2', '--dataset', '3', '--param', `record_index=${rec}`,
                             '--public-output', path.join(T, `out${rec}.bin`)]));
    z(['prove', '--statement', st.statement_id, '-o', path.join(T, `p${rec}`)]);
    stmts.push({ id: st.statement_id, proof: path.join(T, `p${rec}`) });
  }
  const keys = [];
  for (let i = 1; i <= 6; i++) {
    const f = path.join(T, `k${i}.key`);
    z(['key', 'generate', '--type', 'secp256k1', '-o', f, ...KP, '--kdf', 'interactive']);
    z(['key', 'register', `file:${f}`]);
    const addr = ethers.computeAddress('0x' + z(['key', 'public', `file:${f}`]).split('\n')[0].split(':')[1]);
    keys.push({ uri: `file:${f}`, addr });
  }
  const domain = (chainId, vc) => {
    const f = path.join(T, `domain-${chainId}-${vc}.json`);
    fs.writeFileSync(f, JSON.stringify({ chainId, verifyingContract: vc }) + '\n');
    return f;
  };
  const contract = ethers.getCreateAddress({ from: deployer.address, nonce: 0 });
  return { stmts, keys, contract, domain };
}

function attest(st, key, dom, out, extraEnv) {
  z(['attest', '--statement', st.id, '--proof', st.proof, '--key', key.uri, '-o', out, ...KP, ...R,
     '--eip712-domain', dom], extraEnv);
  return out;
}
const calldata = (args) => z(['eth', 'calldata', ...args]).trim();

// ------------------------------------------------------------ chain helpers
async function main() {
  const c = compile();
  const iface = new ethers.Interface(c.abi);
  const chain = await Chain.create();
  const gov = new ethers.Wallet('0x' + '11'.repeat(32));
  const stranger = new ethers.Wallet('0x' + '22'.repeat(32));
  await chain.fund(gov);
  await chain.fund(stranger);
  const env0 = setupRegistry(gov);
  const { stmts, keys, contract, domain } = env0;
  const dom = domain(1, contract);
  ok(true, `registry, 4 proven statements and 6 secp256k1 keys made with ${path.basename(ZKREG)}`);

  const dep = await chain.send(gov, null, c.bytecode + iface.encodeDeploy([gov.address]).slice(2));
  ok(dep.ok && dep.address.toLowerCase() === contract.toLowerCase(),
     `deployed with solc ${c.version.split('+')[0]} at the address in the EIP-712 domain`);
  gas.push(['deploy', dep.gas]);

  const tx = async (who, fn, args) => {
    const r = await chain.send(who, contract, iface.encodeFunctionData(fn, args));
    r.err = r.ok ? null : (() => { try { return iface.parseError(r.ret).name; } catch (e) { return r.error && r.error.error; } })();
    return r;
  };
  const raw = async (who, data) => {
    const r = await chain.send(who, contract, data);
    r.err = r.ok ? null : (() => { try { return iface.parseError(r.ret).name; } catch (e) { return String(r.error && r.error.error); } })();
    return r;
  };
  const view = async (fn, args) => {
    const r = await chain.call(contract, iface.encodeFunctionData(fn, args));
    return { value: iface.decodeFunctionResult(fn, r.ret)[0], gas: r.gas };
  };
  const refused = (r, want, what) => ok(!r.ok && r.err === want, `${what}: refused (${r.err}, want ${want})`);
  // Runs f on a copy of the chain's state, then rolls back.
  const scratch = async (f) => {
    await chain.vm.stateManager.checkpoint();
    const nonces = new Map(chain.nonces);
    try { await f(); } finally { await chain.vm.stateManager.revert(); chain.nonces = nonces; }
  };

  // ---------------------------------------------------------- governance
  for (let i = 0; i < 5; i++) await tx(gov, 'setSigner', [keys[i].addr, true]);
  const sdigest = JSON.parse(z(['--json', 'show', 'schema', 'fmnist@1'])).digest ||
                  JSON.parse(z(['--json', 'show', 'schema', 'fmnist@1'])).sha256;
  const setm = (m) => tx(gov, 'setSchemaThreshold', ['fmnist@1', '0x' + sdigest, m]);
  ok((await setm(2)).ok, 'governance trusts 5 signers, fmnist@1 needs 2');
  refused(await tx(stranger, 'setSigner', [stranger.address, true]), 'NotOwner', 'a non-owner trusting a signer');
  refused(await tx(stranger, 'revokeStatement', ['0x' + stmts[0].id, 'x']), 'NotOwner', 'a non-owner revoking');

  // ---------------------------------------------------------- hashing agrees
  const S = stmts[0];
  const td = JSON.parse(z(['attest', '--statement', S.id, '--proof', S.proof, '--eip712-json',
                           '--eip712-domain', dom, ...R]));
  const types = { ...td.types };
  delete types.EIP712Domain;
  const ethersDigest = ethers.TypedDataEncoder.hash(td.domain, types, td.message);
  const sep = (await view('domainSeparator', [])).value;
  const msg = { ...td.message, accepted: true };
  const sh = (await view('hashAttestation', [msg])).value;
  ok(ethers.keccak256(ethers.concat(['0x1901', sep, sh])) === ethersDigest &&
     sh === ethers.TypedDataEncoder.hashStruct('ZkregAttestation', types, td.message) &&
     td.domain.version === '2' && 'checkpointOrigin' in td.message,
     'zkreg --eip712-json, ethers and the contract give one digest (domain version 2, origin bound)');

  // ---------------------------------------------------------- attestations of S by each key
  // k1-k4 and k6 (untrusted) attest S; k5 is trusted but never signs.
  const att = keys.map((k, i) => (i === 4 ? null : attest(S, k, dom, path.join(T, `S.k${i + 1}.att`))));
  const later = attest(S, keys[0], dom, path.join(T, 'S.k1.later.att'), { ZKREG_ATTEST_TIME: String(TIME + 100) });
  const wrongChain = attest(S, keys[0], domain(5, contract), path.join(T, 'S.k1.chain5.att'));
  const otherVc = '0x' + '5f'.repeat(20);
  const wrongVc = attest(S, keys[0], domain(1, ethers.getAddress(otherVc)), path.join(T, 'S.k1.vc.att'));

  const cd12 = calldata([att[0], att[1]]);
  const dec = iface.decodeFunctionData('submit', cd12);
  const A = dec[0].toObject();
  const sigs = dec[1].map((s) => s);
  ok(sigs.length === 2 && ethers.recoverAddress(ethersDigest, sigs[0]) === keys[0].addr &&
     ethers.recoverAddress(ethersDigest, sigs[1]) === keys[1].addr,
     'zkreg eth calldata: ethers decodes submit(a, sigs) and recovers k1, k2');
  const sig1 = sigs[0];
  const sig6 = iface.decodeFunctionData('submit', calldata([att[5]]))[1][0];
  const sig4 = iface.decodeFunctionData('submit', calldata([att[3]]))[1][0];
  const submit = (a, ss, who = stranger) => tx(who, 'submit', [a, ss]);

  // ---------------------------------------------------------- refusals
  refused(await submit(A, [sig1]), 'BelowThreshold', 'one signature short of the threshold');
  refused(await submit(A, [sig1, sig1]), 'DuplicateSigner', 'the same signer twice');
  refused(await submit(A, [sig1, sig6]), 'UntrustedSigner', 'an untrusted (but zkreg-registered) signer');
  {
    const r = BigInt(ethers.dataSlice(sig1, 0, 32));
    const s = BigInt(ethers.dataSlice(sig1, 32, 64));
    const v = Number(ethers.dataSlice(sig1, 64, 65));
    const high = ethers.concat([ethers.toBeHex(r, 32), ethers.toBeHex(N - s, 32), ethers.toBeHex(v === 27 ? 28 : 27, 1)]);
    // The EVM's own ecrecover precompile accepts the twin: only the contract's low-s rule stops it.
    const pre = await chain.call('0x0000000000000000000000000000000000000001',
      ethers.concat([ethersDigest, ethers.toBeHex(v === 27 ? 28 : 27, 32), ethers.toBeHex(r, 32), ethers.toBeHex(N - s, 32)]));
    ok(s <= N_HALF && ethers.getAddress(ethers.dataSlice(pre.ret, 12)) === keys[0].addr,
       'the high-s twin of a zkreg signature recovers k1 with the bare ecrecover precompile');
    refused(await submit(A, [high, sigs[1]]), 'HighS', 'the high-s twin');
    for (const bad of [0, 1, 29]) {
      const sv = ethers.concat([ethers.dataSlice(sig1, 0, 64), ethers.toBeHex(bad, 1)]);
      refused(await submit(A, [sv, sigs[1]]), 'BadSignatureV', `v = ${bad}`);
    }
  }
  for (const [f, file] of [['chainId 5', wrongChain], ['another verifyingContract', wrongVc]]) {
    const w = iface.decodeFunctionData('submit', calldata([file]));
    refused(await submit(w[0].toObject(), [w[1][0], sigs[1]]), 'UntrustedSigner', `k1's signature for ${f}`);
  }
  {
    const flip = (h) => ethers.hexlify(ethers.getBytes(h).map((b, i) => (i === 31 ? b ^ 1 : b)));
    const changed = {
      statementId: flip(A.statementId), proof: flip(A.proof), program: flip(A.program),
      model: flip(A.model), dataset: flip(A.dataset), schema: 'fmnist@2',
      schemaDigest: flip(A.schemaDigest), verifierVersion: '0.2.1', accepted: false,
      logIndex: A.logIndex - 1n, checkpointOrigin: A.checkpointOrigin + 'x',
      checkpointSize: A.checkpointSize + 1n, checkpointRoot: flip(A.checkpointRoot), time: A.time + 1n,
    };
    let all = true;
    const why = [];
    for (const k of Object.keys(changed)) {
      const r = await submit({ ...A, [k]: changed[k] }, sigs);
      all = all && !r.ok;
      why.push(`${k}:${r.err}`);
    }
    ok(all && Object.keys(changed).length === 14, `each of the 14 fields changed alone: refused (${why.join(' ')})`);
  }
  await tx(gov, 'revokeSigner', [keys[3].addr, 'test: k4 compromised']);
  refused(await submit(A, [sig1, sig4]), 'UntrustedSigner', 'a revoked signer');

  // ---------------------------------------------------------- gas: 1-of-1, 2-of-3, 3-of-5
  await scratch(async () => {
    await setm(1);
    const r = await raw(stranger, calldata([att[0]]));
    ok(r.ok && (await view('isValid', ['0x' + S.id])).value === true, '1-of-1 with a file secp256k1 key: accepted');
    gas.push(['submit 1-of-1', r.gas]);
  });
  await scratch(async () => {
    await tx(gov, 'setSigner', [keys[5].addr, true]); // 5 trusted again (k4 revoked)
    await setm(3);
    const cd = calldata([att[0], att[1], att[2]]);
    refused(await raw(stranger, calldata([att[0], att[1]])), 'BelowThreshold', '3-of-5 with two signatures');
    const r = await raw(stranger, cd);
    ok(r.ok, '3-of-5 with three zkreg attestations: accepted');
    gas.push(['submit 3-of-5', r.gas]);
  });
  // 2-of-3 across key kinds: a file key, a SoftHSM2 token key and an offline wallet.
  {
    const hsm = { uri: `pkcs11:token=zkr-test;object=k1?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=${HSM_DIR}/pin` };
    z(['key', 'register', hsm.uri]);
    hsm.addr = ethers.computeAddress('0x' + z(['key', 'public', hsm.uri]).split('\n')[0].split(':')[1]);
    const waddr = execFileSync(WALLET, ['address'], { encoding: 'utf8' }).trim();
    z(['key', 'register', `eth:${waddr}`]);
    const hsmAtt = attest(S, hsm, dom, path.join(T, 'S.hsm.att'));
    const req = path.join(T, 'S.wallet.req');
    z(['attest', '--statement', S.id, '--proof', S.proof, '--key', 'external:eip712', '--address', waddr,
       '--eip712-domain', dom, '-o', req, ...R]);
    const wsig = execFileSync(WALLET, ['sign', req], { encoding: 'utf8' }).trim();
    const walletAtt = path.join(T, 'S.wallet.att');
    z(['attest', '--import-signature', wsig, '--request', req, '-o', walletAtt]);
    await scratch(async () => {
      for (const k of keys.slice(0, 5)) await tx(gov, 'setSigner', [k.addr, false]);
      for (const a of [keys[0].addr, hsm.addr, waddr]) await tx(gov, 'setSigner', [a, true]);
      refused(await raw(stranger, calldata([walletAtt])), 'BelowThreshold', '2-of-3: the wallet alone');
      const r = await raw(stranger, calldata([hsmAtt, walletAtt]));
      ok(r.ok, '2-of-3 with a SoftHSM2 key and an external:eip712 wallet: accepted');
      gas.push(['submit 2-of-3 (SoftHSM + wallet)', r.gas]);
    });
    await scratch(async () => {
      for (const a of [hsm.addr, waddr]) await tx(gov, 'setSigner', [a, true]);
      const r = await raw(stranger, calldata([att[0], hsmAtt, walletAtt]));
      ok(r.ok && (await view('getRecord', ['0x' + S.id])).value.signers.length === 3,
         'file + SoftHSM + wallet signatures in one call: accepted, three signers recorded');
    });
  }
  const acc = await raw(stranger, cd12);
  ok(acc.ok && acc.logs.length === 1, '2-of-5 (threshold 2) with k1 + k2: accepted, one event');
  gas.push(['submit 2-of-3', acc.gas]);
  const rec = (await view('getRecord', ['0x' + S.id])).value;
  ok(rec.proof === A.proof && rec.program === A.program && rec.model === A.model &&
     rec.dataset === A.dataset && rec.schemaDigest === A.schemaDigest && rec.verifierVersion === A.verifierVersion &&
     rec.logIndex === A.logIndex && rec.checkpointRoot === A.checkpointRoot && rec.time === A.time &&
     rec.signers.length === 2, 'the record holds the attested facts and both signers');
  ok((await view('isValid', ['0x' + S.id])).value === true, 'isValid(S) is true');
  const again = await raw(stranger, cd12);
  ok(again.ok && again.logs.length === 0 && iface.decodeFunctionResult('submit', again.ret)[0] === false,
     'resubmitting the same attestation is idempotent (no event, returns false)');
  gas.push(['submit again (idempotent)', again.gas]);
  refused(await raw(stranger, calldata([later])), 'StatementConflict',
          'a second, different attestation (later time) for the same statement');

  // ---------------------------------------------------------- batches
  const B = [stmts[1], stmts[2], stmts[3]];
  const batchFile = path.join(T, 'batch.json');
  const args = ['attest-root', '--eip712-domain', dom, '-o', batchFile, ...KP, ...R];
  for (const s of B) args.push('--statement', s.id, '--proof', s.proof);
  ok(zfail([...args, '--key', keys[0].uri, '--key', keys[1].uri,
            '--statement', stmts[1].id, '--proof', stmts[0].proof]) === 1 && !fs.existsSync(batchFile),
     'attest-root with one proof that is not its statement\'s: refused (exit 1), no batch');
  z([...args, '--key', keys[0].uri, '--key', keys[1].uri]);
  const batch = JSON.parse(fs.readFileSync(batchFile, 'utf8'));
  ok(batch.batch.count === 3 && batch.signatures.length === 2, 'attest-root verified 3 proofs and signed one root with k1, k2');
  {
    const edit = (name, f) => {
      const j = JSON.parse(fs.readFileSync(batchFile, 'utf8'));
      f(j);
      const out = path.join(T, name);
      fs.writeFileSync(out, JSON.stringify(j) + '\n');
      return out;
    };
    const swapped = edit('swapped.json', (j) => j.payloads.reverse());
    const badSig = edit('badsig.json', (j) => { j.signatures[0].signature = j.signatures[1].signature; });
    const dupSig = edit('dupsig.json', (j) => { j.signatures[1] = j.signatures[0]; });
    ok(zfail(['eth', 'calldata', '--batch', swapped]) === 1 && zfail(['eth', 'calldata', '--batch', badSig]) === 1 &&
       zfail(['eth', 'calldata', '--batch', dupSig]) === 3 &&
       zfail(['eth', 'calldata', '--batch', batchFile, '--index', '3']) === 2,
       'eth calldata: a batch whose payloads do not give its root, or whose signature does not recover, exit 1; ' +
       'one signer twice, exit 3; --index past the end, exit 2');
    const e = JSON.parse(fs.readFileSync(att[0], 'utf8'));
    e.signatures[0].eip712.signature = JSON.parse(fs.readFileSync(att[1], 'utf8')).signatures[0].eip712.signature;
    fs.writeFileSync(path.join(T, 'mixed.att'), JSON.stringify(e) + '\n');
    ok(zfail(['eth', 'calldata', path.join(T, 'mixed.att')]) === 1 && zfail(['eth', 'calldata', att[0], later]) === 3,
       'eth calldata: a companion that does not recover its address, exit 1; two different payloads, exit 3');
  }
  const sb = await raw(stranger, calldata(['--batch', batchFile]));
  ok(sb.ok, 'submitBatch: the root is stored once');
  gas.push(['submitBatch (2 signers)', sb.gas]);
  {
    const cd0 = calldata(['--batch', batchFile, '--index', '0']);
    await scratch(async () => {
      await tx(gov, 'setSigner', [keys[0].addr, false]);
      refused(await raw(stranger, cd0), 'BelowThreshold', 'proveIncluded after a batch signer is no longer trusted (1 of 2 left)');
    });
    await scratch(async () => {
      await tx(gov, 'revokeSigner', [keys[0].addr, 'test']);
      refused(await raw(stranger, cd0), 'SignerIsRevoked', 'proveIncluded after a batch signer was revoked');
    });
  }
  for (const [i, name] of [[0, 'first'], [1, 'middle'], [2, 'last']]) {
    const cd = calldata(['--batch', batchFile, '--index', String(i)]);
    const r = await raw(stranger, cd);
    ok(r.ok && (await view('isValid', ['0x' + B[i].id])).value === true, `proveIncluded of the ${name} statement: recorded, valid`);
    if (i === 1) gas.push(['proveIncluded N=3 (records the statement)', r.gas]);
  }
  {
    const d1 = iface.decodeFunctionData('proveIncluded', calldata(['--batch', batchFile, '--index', '1']));
    const d0 = iface.decodeFunctionData('proveIncluded', calldata(['--batch', batchFile, '--index', '0']));
    const [a1, root, , p1] = d1;
    const a1o = a1.toObject();
    ok(!(await view('isIncluded', [a1o, root, 0, [...p1]])).value, 'isIncluded with a wrong index: false');
    ok(!(await view('isIncluded', [a1o, root, 1, [...d0[3]]])).value, 'isIncluded with another leaf\'s path: false');
    const bad = [...p1];
    bad[0] = ethers.hexlify(ethers.getBytes(bad[0]).map((b, i) => (i === 0 ? b ^ 1 : b)));
    refused(await tx(stranger, 'proveIncluded', [a1o, root, 1, bad]), 'NotIncluded', 'proveIncluded with a wrong path');
    refused(await tx(stranger, 'proveIncluded', [a1o, root, 2, [...p1]]), 'NotIncluded', 'proveIncluded with a wrong index');
    refused(await tx(stranger, 'proveIncluded', [a1o, ethers.ZeroHash.slice(0, -1) + '1', 1, [...p1]]), 'UnknownBatch',
            'proveIncluded against a root never submitted');
    refused(await tx(stranger, 'proveIncluded', [{ ...a1o, time: a1o.time + 1n }, root, 1, [...p1]]), 'NotIncluded',
            'proveIncluded of a changed attestation');
  }

  // ---------------------------------------------------------- batch gas at N = 16, 1024, 65536
  const W = [new ethers.Wallet('0x' + '33'.repeat(32)), new ethers.Wallet('0x' + '44'.repeat(32))];
  const leafContent = (a) => ethers.TypedDataEncoder.hashStruct('ZkregAttestation', types, a);
  const h0 = (x) => ethers.keccak256(ethers.concat(['0x00', x]));
  const h1 = (l, r) => ethers.keccak256(ethers.concat(['0x01', l, r]));
  // A tree whose other leaves are all one filler value: every sibling of the last leaf of a
  // 2^k tree is a full filler subtree, so root and path take k hashes (gas depends on k only).
  function lastLeafTree(leaf, size) {
    let filler = h0(ethers.keccak256(ethers.toUtf8Bytes('filler')));
    let r = h0(leaf);
    const p = [];
    for (let s = 1; s < size; s *= 2) {
      p.push(filler);
      r = h1(filler, r);
      filler = h1(filler, filler);
    }
    return { root: r, path: p };
  }
  const S4 = iface.decodeFunctionData('proveIncluded', calldata(['--batch', batchFile, '--index', '2']))[0].toObject();
  for (const w of W) await tx(gov, 'setSigner', [w.address, true]);
  for (const size of [16, 1024, 65536]) {
    await scratch(async () => {
      const a = { ...S4, statementId: ethers.keccak256(ethers.toUtf8Bytes(`gas-${size}`)) };
      const idx = size - 1;
      const { root, path: p } = lastLeafTree(leafContent(a), size);
      const b = { root, count: size, time: TIME };
      const bdom = { name: 'zkreg', version: '2', chainId: 1, verifyingContract: contract };
      const bs = await Promise.all(W.map((w) => w.signTypedData(bdom, { ZkregBatch: [
        { name: 'root', type: 'bytes32' }, { name: 'count', type: 'uint64' }, { name: 'time', type: 'uint64' }] }, b)));
      const r1 = await tx(stranger, 'submitBatch', [b, bs]);
      const v = await view('isIncluded', [a, root, idx, p]);
      const r2 = await tx(stranger, 'proveIncluded', [a, root, idx, p]);
      ok(r1.ok && v.value === true && r2.ok, `N = ${size}: batch root stored, leaf ${idx} proven with ${p.length} hashes`);
      gas.push([`isIncluded N=${size} (view, execution only)`, v.gas]);
      gas.push([`proveIncluded N=${size} (records the statement)`, r2.gas]);
    });
  }

  // ---------------------------------------------------------- revocations
  await scratch(async () => {
    const r = await tx(gov, 'revokeVerifierVersion', ['0.2.0', 'test: verifier bug']);
    ok(r.ok && r.logs.length === 1 && !(await view('isValid', ['0x' + S.id])).value &&
       !(await view('isValid', ['0x' + B[0].id])).value, 'revokeVerifierVersion: isValid false for direct and batch records');
    refused(await raw(stranger, cd12), 'VerifierIsRevoked', 'submitting an attestation of a revoked verifier version');
    gas.push(['revokeVerifierVersion', r.gas]);
  });
  ok((await view('isValid', ['0x' + B[1].id])).value, 'isValid(batch statement) true before its signer is revoked');
  const rs = await tx(gov, 'revokeSigner', [keys[1].addr, 'test: k2 compromised']);
  ok(rs.ok && rs.logs.length === 1 && !(await view('isValid', ['0x' + B[1].id])).value &&
     !(await view('isValid', ['0x' + S.id])).value, 'revokeSigner(k2): isValid false for what k2 signed (direct and batch)');
  gas.push(['revokeSigner', rs.gas]);
  const rst = await tx(gov, 'revokeStatement', ['0x' + B[2].id, 'test: withdrawn']);
  ok(rst.ok && rst.logs.length === 1, 'revokeStatement emits its event');
  gas.push(['revokeStatement', rst.gas]);
  const re = await raw(stranger, cd12);
  ok(re.ok && re.logs.length === 0 && !(await view('isValid', ['0x' + S.id])).value,
     'resubmitting the attestation after k2 was revoked changes nothing: still not valid');
  await scratch(async () => {
    await tx(gov, 'revokeStatement', ['0x' + stmts[0].id, 'x']);
    refused(await raw(stranger, calldata([att[0], att[2]])), 'StatementIsRevoked', 'submitting a revoked statement');
  });

  // ---------------------------------------------------------- gas table
  const table = gas.map(([k, v]) => `${k}\t${v}`).join('\n') + '\n';
  diag('gas (total per transaction, intrinsic 21000 + calldata included; views: execution only)');
  diag(table.trim());
  if (process.env.ZKR_GAS_OUT) fs.writeFileSync(process.env.ZKR_GAS_OUT, table);
}

main()
  .catch((e) => {
    ok(false, 'the test ran to its end');
    diag(e.stack || e);
  })
  .finally(() => {
    fs.rmSync(T, { recursive: true, force: true });
    console.log(`1..${n}`);
    process.exitCode = failed ? 1 : 0;
  });
