print("bertbench")
