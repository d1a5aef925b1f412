'use strict';
// Compiles ZkregAttestationRegistry.sol with the pinned solc-js (no download).
const fs = require('fs');
const path = require('path');
const solc = require('solc');

function compile() {
  const file = 'ZkregAttestationRegistry.sol';
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: fs.readFileSync(path.join(__dirname, '..', file), 'utf8') } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const c = out.contracts[file].ZkregAttestationRegistry;
  return { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object, version: solc.version(),
           warnings: (out.errors || []).filter((e) => e.severity !== 'error') };
}
module.exports = { compile };
if (require.main === module) {
  const t0 = Date.now();
  const c = compile();
  console.log(c.version, 'bytecode', (c.bytecode.length - 2) / 2, 'bytes', Date.now() - t0, 'ms');
  for (const w of c.warnings) console.log(w.formattedMessage);
}
