// Placeholder so the package resolves; replaced by the BertMetrics implementation.
