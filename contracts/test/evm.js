'use strict';
// An in-memory EVM (@ethereumjs/vm 8, Cancun rules, chain id 1): deploys the
// registry and runs signed legacy transactions, reporting real gas used.
// (Version 8 runs on Debian 12's node 18; later majors need node 20.)
const { VM } = require('@ethereumjs/vm');
const { Common, Chain: Chains, Hardfork } = require('@ethereumjs/common');
const { LegacyTransaction } = require('@ethereumjs/tx');
const { Account, Address, hexToBytes, bytesToHex } = require('@ethereumjs/util');
const { ethers } = require('ethers');

class Chain {
  static async create() {
    const c = new Chain();
    c.common = new Common({ chain: Chains.Mainnet, hardfork: Hardfork.Cancun });
    c.vm = await VM.create({ common: c.common });
    c.nonces = new Map();
    return c;
  }
  async fund(wallet) {
    const addr = Address.fromPrivateKey(hexToBytes(wallet.privateKey));
    await this.vm.stateManager.putAccount(addr, Account.fromAccountData({ nonce: 0n, balance: 10n ** 24n }));
    this.nonces.set(wallet.address, 0n);
  }
  // Sends data (to: null deploys). Returns {ok, gas, ret, error, address, logs}.
  async send(wallet, to, data) {
    const nonce = this.nonces.get(wallet.address);
    const tx = LegacyTransaction.fromTxData({ nonce, gasPrice: 10n, gasLimit: 30000000n, to: to || undefined,
                               data: hexToBytes(data) }, { common: this.common })
      .sign(hexToBytes(wallet.privateKey));
    const res = await this.vm.runTx({ tx, skipBlockGasLimitValidation: true });
    this.nonces.set(wallet.address, nonce + 1n);
    const ex = res.execResult;
    return { ok: ex.exceptionError === undefined, gas: Number(res.totalGasSpent),
             ret: bytesToHex(ex.returnValue), error: ex.exceptionError,
             address: res.createdAddress ? res.createdAddress.toString() : undefined,
             logs: ex.logs || [] };
  }
  // eth_call: no state change; gas is the execution's own (no intrinsic cost).
  async call(to, data) {
    const r = await this.vm.evm.runCall({ to: Address.fromString(to), data: hexToBytes(data),
                                         gasLimit: 30000000n,
                                         caller: Address.fromString(ethers.ZeroAddress) });
    return { ok: r.execResult.exceptionError === undefined, ret: bytesToHex(r.execResult.returnValue),
             gas: Number(r.execResult.executionGasUsed) };
  }
}
module.exports = { Chain };
