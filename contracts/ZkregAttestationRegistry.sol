// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ZkregAttestationRegistry
/// @notice Off-chain verification with on-chain commitment: zkreg verifies a
/// proof off chain and signs an EIP-712 `ZkregAttestation` (docs/signing.md,
/// domain version 2); this contract enforces who may sign (trusted signers and
/// a threshold per schema) and what was revoked. It does not verify proofs.
/// Batches (hybrid aggregation): zkreg signs one `ZkregBatch` over an RFC 6962
/// Merkle tree (keccak256) of attestation struct hashes; the root is stored
/// once and each statement is then proven by an audit path (docs/onchain.md).
contract ZkregAttestationRegistry {
    /// The typed data zkreg signs, field for field (docs/signing.md).
    struct ZkregAttestation {
        bytes32 statementId;
        bytes32 proof;
        bytes32 program;
        bytes32 model;
        bytes32 dataset;
        string schema; // name, "@", version
        bytes32 schemaDigest;
        string verifierVersion;
        bool accepted;
        uint64 logIndex;
        string checkpointOrigin;
        uint64 checkpointSize;
        bytes32 checkpointRoot;
        uint64 time;
    }

    struct ZkregBatch {
        bytes32 root; // RFC 6962 root (keccak256) of the attestations' struct hashes
        uint64 count; // number of leaves
        uint64 time;
    }

    /// What is stored per statement (the attested facts the chain relies on).
    struct Record {
        bytes32 attestationHash; // EIP-712 struct hash: idempotency key
        bytes32 proof;
        bytes32 program;
        bytes32 model;
        bytes32 dataset;
        bytes32 schemaKey; // keccak256(abi.encode(schema, schemaDigest))
        bytes32 schemaDigest;
        bytes32 checkpointRoot;
        bytes32 batchRoot; // zero for a direct submit
        uint64 logIndex;
        uint64 time;
        uint64 recordedAt;
        string verifierVersion;
        address[] signers; // direct submits; batch records use the batch's signers
    }

    struct Batch {
        uint64 count;
        uint64 time;
        address[] signers;
    }

    bytes32 public constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "ZkregAttestation(bytes32 statementId,bytes32 proof,bytes32 program,bytes32 model,"
        "bytes32 dataset,string schema,bytes32 schemaDigest,string verifierVersion,bool accepted,"
        "uint64 logIndex,string checkpointOrigin,uint64 checkpointSize,bytes32 checkpointRoot,"
        "uint64 time)"
    );
    bytes32 public constant BATCH_TYPEHASH = keccak256("ZkregBatch(bytes32 root,uint64 count,uint64 time)");
    string public constant NAME = "zkreg";
    string public constant VERSION = "2";
    uint256 public constant MAX_SIGNATURES = 16;
    /// secp256k1 n / 2: signatures with a larger s are the malleable twin and refused.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    address public owner;
    address public pendingOwner;
    mapping(address => bool) public trustedSigner;
    mapping(address => bool) public signerRevoked;
    mapping(bytes32 => uint8) public schemaThreshold; // schemaKey => m (0: schema not allowed)
    mapping(bytes32 => bool) public verifierRevoked; // keccak256(bytes(version))
    mapping(bytes32 => bool) public statementRevoked;
    mapping(bytes32 => Record) private records;
    mapping(bytes32 => Batch) private batches;

    event OwnershipTransferStarted(address indexed owner, address indexed pendingOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event SignerTrusted(address indexed signer, bool trusted);
    event SchemaThresholdSet(bytes32 indexed schemaKey, string schema, bytes32 schemaDigest, uint8 threshold);
    event AttestationRecorded(
        bytes32 indexed statementId, bytes32 indexed attestationHash, bytes32 indexed batchRoot, bytes32 schemaKey
    );
    event BatchRecorded(bytes32 indexed root, uint64 count, uint64 time, address[] signers);
    event StatementRevoked(bytes32 indexed statementId, string reason);
    event SignerRevoked(address indexed signer, string reason);
    event VerifierVersionRevoked(bytes32 indexed versionHash, string version, string reason);

    error NotOwner();
    error NotPendingOwner();
    error ZeroAddress();
    error SignerIsRevoked(address signer);
    error NotAccepted();
    error BadLogIndex();
    error UnknownSchema(bytes32 schemaKey);
    error StatementIsRevoked(bytes32 statementId);
    error VerifierIsRevoked(string version);
    error StatementConflict(bytes32 statementId, bytes32 stored, bytes32 offered);
    error TooManySignatures(uint256 n);
    error BadSignatureLength(uint256 i);
    error BadSignatureV(uint256 i, uint8 v);
    error HighS(uint256 i);
    error BadSignature(uint256 i);
    error UntrustedSigner(uint256 i, address signer);
    error DuplicateSigner(uint256 i, address signer);
    error BelowThreshold(uint256 have, uint256 need);
    error BadBatch();
    error UnknownBatch(bytes32 root);
    error NotIncluded();
    error ThresholdTooHigh();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @param initialOwner the governance address: an EOA, or an m-of-n
    /// multisig contract for m-of-n governance (docs/onchain.md).
    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert ZeroAddress();
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    // ------------------------------------------------------------ governance

    function transferOwnership(address next) external onlyOwner {
        pendingOwner = next;
        emit OwnershipTransferStarted(owner, next);
    }

    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert NotPendingOwner();
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }

    /// Trusts (or stops trusting, for future submissions only) a signer. A
    /// revoked signer can never be trusted again.
    function setSigner(address signer, bool trusted) external onlyOwner {
        if (signer == address(0)) revert ZeroAddress();
        if (trusted && signerRevoked[signer]) revert SignerIsRevoked(signer);
        trustedSigner[signer] = trusted;
        emit SignerTrusted(signer, trusted);
    }

    /// Sets m for a schema (name at version, as zkreg writes it) with digest `schemaDigest`; 0 disallows it.
    function setSchemaThreshold(string calldata schema, bytes32 schemaDigest, uint8 threshold) external onlyOwner {
        if (threshold > MAX_SIGNATURES) revert ThresholdTooHigh();
        bytes32 key = schemaKeyOf(schema, schemaDigest);
        schemaThreshold[key] = threshold;
        emit SchemaThresholdSet(key, schema, schemaDigest, threshold);
    }

    function revokeStatement(bytes32 statementId, string calldata reason) external onlyOwner {
        statementRevoked[statementId] = true;
        emit StatementRevoked(statementId, reason);
    }

    /// Revokes a signer for good: it is no longer trusted, and every statement
    /// it signed (directly or through a batch) is no longer valid.
    function revokeSigner(address signer, string calldata reason) external onlyOwner {
        signerRevoked[signer] = true;
        trustedSigner[signer] = false;
        emit SignerRevoked(signer, reason);
    }

    function revokeVerifierVersion(string calldata version, string calldata reason) external onlyOwner {
        bytes32 h = keccak256(bytes(version));
        verifierRevoked[h] = true;
        emit VerifierVersionRevoked(h, version, reason);
    }

    // ------------------------------------------------------------ EIP-712

    function schemaKeyOf(string calldata schema, bytes32 schemaDigest) public pure returns (bytes32) {
        return keccak256(abi.encode(keccak256(bytes(schema)), schemaDigest));
    }

    function domainSeparator() public view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(NAME)), keccak256(bytes(VERSION)), block.chainid, address(this))
        );
    }

    /// hashStruct(ZkregAttestation): also the batch tree's leaf content.
    function hashAttestation(ZkregAttestation calldata a) public pure returns (bytes32) {
        // Two halves keep the expression within the stack; all words are 32 bytes,
        // so the concatenation equals one abi.encode of the 15 words.
        bytes memory head = abi.encode(
            ATTESTATION_TYPEHASH,
            a.statementId,
            a.proof,
            a.program,
            a.model,
            a.dataset,
            keccak256(bytes(a.schema)),
            a.schemaDigest
        );
        bytes memory tail = abi.encode(
            keccak256(bytes(a.verifierVersion)),
            a.accepted,
            a.logIndex,
            keccak256(bytes(a.checkpointOrigin)),
            a.checkpointSize,
            a.checkpointRoot,
            a.time
        );
        return keccak256(bytes.concat(head, tail));
    }

    function hashBatch(ZkregBatch calldata b) public pure returns (bytes32) {
        return keccak256(abi.encode(BATCH_TYPEHASH, b.root, b.count, b.time));
    }

    function _digest(bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(), structHash));
    }

    /// Recovers every signature (65 bytes r||s||v, v in {27, 28}, low s) and
    /// requires each signer to be trusted, unrevoked and distinct.
    function _signers(bytes32 digest, bytes[] calldata sigs) internal view returns (address[] memory out) {
        if (sigs.length > MAX_SIGNATURES) revert TooManySignatures(sigs.length);
        out = new address[](sigs.length);
        for (uint256 i = 0; i < sigs.length; i++) {
            bytes calldata sig = sigs[i];
            if (sig.length != 65) revert BadSignatureLength(i);
            bytes32 r = bytes32(sig[0:32]);
            bytes32 s = bytes32(sig[32:64]);
            uint8 v = uint8(sig[64]);
            if (v != 27 && v != 28) revert BadSignatureV(i, v);
            if (uint256(s) > HALF_N) revert HighS(i);
            address who = ecrecover(digest, v, r, s);
            if (who == address(0)) revert BadSignature(i);
            if (!trustedSigner[who] || signerRevoked[who]) revert UntrustedSigner(i, who);
            for (uint256 j = 0; j < i; j++) {
                if (out[j] == who) revert DuplicateSigner(i, who);
            }
            out[i] = who;
        }
    }

    // ------------------------------------------------------------ attestations

    /// Checks what does not depend on signatures; returns the schema's threshold.
    function _admissible(ZkregAttestation calldata a) internal view returns (bytes32 key, uint8 m) {
        if (!a.accepted) revert NotAccepted();
        if (a.logIndex >= a.checkpointSize) revert BadLogIndex();
        if (statementRevoked[a.statementId]) revert StatementIsRevoked(a.statementId);
        if (verifierRevoked[keccak256(bytes(a.verifierVersion))]) revert VerifierIsRevoked(a.verifierVersion);
        key = schemaKeyOf(a.schema, a.schemaDigest);
        m = schemaThreshold[key];
        if (m == 0) revert UnknownSchema(key);
    }

    /// Returns true when the statement is already held with this very attestation
    /// (idempotent resubmit); reverts when it is held with another one.
    function _alreadyHeld(ZkregAttestation calldata a, bytes32 h) internal view returns (bool) {
        bytes32 stored = records[a.statementId].attestationHash;
        if (stored == bytes32(0)) return false;
        if (stored != h) revert StatementConflict(a.statementId, stored, h);
        return true;
    }

    function _store(ZkregAttestation calldata a, bytes32 h, bytes32 key, bytes32 batchRoot, address[] memory signers)
        internal
    {
        Record storage r = records[a.statementId];
        r.attestationHash = h;
        r.proof = a.proof;
        r.program = a.program;
        r.model = a.model;
        r.dataset = a.dataset;
        r.schemaKey = key;
        r.schemaDigest = a.schemaDigest;
        r.checkpointRoot = a.checkpointRoot;
        r.batchRoot = batchRoot;
        r.logIndex = a.logIndex;
        r.time = a.time;
        r.recordedAt = uint64(block.timestamp);
        r.verifierVersion = a.verifierVersion;
        for (uint256 i = 0; i < signers.length; i++) {
            r.signers.push(signers[i]);
        }
        emit AttestationRecorded(a.statementId, h, batchRoot, key);
    }

    /// Records a zkreg attestation signed by at least the schema's threshold of
    /// trusted, unrevoked, distinct signers. Returns false (and changes nothing)
    /// when the same attestation is already recorded.
    function submit(ZkregAttestation calldata a, bytes[] calldata sigs) external returns (bool) {
        (bytes32 key, uint8 m) = _admissible(a);
        bytes32 h = hashAttestation(a);
        if (_alreadyHeld(a, h)) return false;
        address[] memory signers = _signers(_digest(h), sigs);
        if (signers.length < m) revert BelowThreshold(signers.length, m);
        _store(a, h, key, bytes32(0), signers);
        return true;
    }

    // ------------------------------------------------------------ batches

    /// Stores a signed batch root once (idempotent: returns false if held).
    function submitBatch(ZkregBatch calldata b, bytes[] calldata sigs) external returns (bool) {
        if (b.root == bytes32(0) || b.count == 0) revert BadBatch();
        Batch storage stored = batches[b.root];
        if (stored.count != 0) {
            if (stored.count != b.count || stored.time != b.time) revert BadBatch();
            return false;
        }
        address[] memory signers = _signers(_digest(hashBatch(b)), sigs);
        if (signers.length == 0) revert BelowThreshold(0, 1);
        stored.count = b.count;
        stored.time = b.time;
        for (uint256 i = 0; i < signers.length; i++) {
            stored.signers.push(signers[i]);
        }
        emit BatchRecorded(b.root, b.count, b.time, signers);
        return true;
    }

    /// RFC 6962 / RFC 9162 section 2.1.3.2 inclusion check with keccak256:
    /// leaf = H(0x00 || structHash), node = H(0x01 || left || right).
    function verifyInclusion(bytes32 leafContent, uint64 index, uint64 size, bytes32[] calldata path, bytes32 root)
        public
        pure
        returns (bool)
    {
        if (index >= size) return false;
        uint256 fn = index;
        uint256 sn = size - 1;
        bytes32 r = keccak256(abi.encodePacked(bytes1(0x00), leafContent));
        for (uint256 i = 0; i < path.length; i++) {
            if (sn == 0) return false;
            if (fn & 1 == 1 || fn == sn) {
                r = keccak256(abi.encodePacked(bytes1(0x01), path[i], r));
                if (fn & 1 == 0) {
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = keccak256(abi.encodePacked(bytes1(0x01), r, path[i]));
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r == root;
    }

    /// View: is attestation `a` leaf `index` of the stored batch `root`?
    function isIncluded(ZkregAttestation calldata a, bytes32 root, uint64 index, bytes32[] calldata path)
        public
        view
        returns (bool)
    {
        uint64 count = batches[root].count;
        return count != 0 && verifyInclusion(hashAttestation(a), index, count, path, root);
    }

    /// Records one statement of a stored batch, after its inclusion proof and
    /// the same checks as submit (the batch's signers, none revoked, must
    /// still be trusted in the schema's threshold number). Idempotent like submit.
    function proveIncluded(ZkregAttestation calldata a, bytes32 root, uint64 index, bytes32[] calldata path)
        external
        returns (bool)
    {
        (bytes32 key, uint8 m) = _admissible(a);
        Batch storage b = batches[root];
        if (b.count == 0) revert UnknownBatch(root);
        bytes32 h = hashAttestation(a);
        if (!verifyInclusion(h, index, b.count, path, root)) revert NotIncluded();
        if (_alreadyHeld(a, h)) return false;
        // The batch's signers count as they stand now: a revoked one voids the
        // batch, one no longer trusted no longer counts.
        uint256 good = 0;
        for (uint256 i = 0; i < b.signers.length; i++) {
            address s = b.signers[i];
            if (signerRevoked[s]) revert SignerIsRevoked(s);
            if (trustedSigner[s]) good++;
        }
        if (good < m) revert BelowThreshold(good, m);
        _store(a, h, key, root, new address[](0));
        return true;
    }

    // ------------------------------------------------------------ queries

    /// True when the statement is recorded and nothing it rests on was revoked
    /// since: the statement, its verifier version, any of its signers; and its
    /// schema still allows it with a threshold its signers meet.
    function isValid(bytes32 statementId) external view returns (bool) {
        Record storage r = records[statementId];
        if (r.attestationHash == bytes32(0) || statementRevoked[statementId]) return false;
        if (verifierRevoked[keccak256(bytes(r.verifierVersion))]) return false;
        address[] storage signers = r.batchRoot == bytes32(0) ? r.signers : batches[r.batchRoot].signers;
        for (uint256 i = 0; i < signers.length; i++) {
            if (signerRevoked[signers[i]]) return false;
        }
        uint8 m = schemaThreshold[r.schemaKey];
        return m != 0 && signers.length >= m;
    }

    function getRecord(bytes32 statementId) external view returns (Record memory) {
        return records[statementId];
    }

    function getBatch(bytes32 root) external view returns (Batch memory) {
        return batches[root];
    }
}
