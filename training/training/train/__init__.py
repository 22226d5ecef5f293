"""The three-stage LoRA/QLoRA curriculum: each stage continues from the previous stage's adapter."""
