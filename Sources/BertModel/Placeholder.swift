// Placeholder so the package resolves; replaced by the BertModel implementation.
