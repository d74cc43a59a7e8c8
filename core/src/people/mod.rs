//! People: face embeddings (this module's first part). A detected face is aligned from its
//! five landmarks onto a 150×150 chip and turned into a 128-number descriptor by dlib's
//! ResNet (as ONNX, run by tract); two faces are the same person when their descriptors
//! are closer than [`embed::SAME_PERSON`]. Grouping, the people API and exclusion build on
//! this (issue "People").

pub mod embed;
pub mod group;
