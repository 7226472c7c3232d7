// Placeholder so the package resolves; replaced by the BertTokens implementation.
