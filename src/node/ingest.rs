//! Admission of records received from peers (protocol.md §6.4–§6.6):
//! parsing, validation (size, clock skew, probe decryption) and merge.
//! (Scaffold: filled in with the cluster work.)
