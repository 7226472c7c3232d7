// Placeholder so the package resolves; replaced by the BertCheckpoint implementation.
