print("pvemend-bench")
