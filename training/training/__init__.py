"""StoryScape training: build a Hindi story corpus, prepare a curriculum, fine-tune a LoRA adapter, evaluate, export."""
