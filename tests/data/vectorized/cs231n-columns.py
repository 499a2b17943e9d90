# The same circuit with x a column (3×1) and W 2×3, as the lecture writes it: dW = dq xᵀ.
W = [[0.1, 0.5, 0.2], [-0.3, 0.8, 0.4]]
x = [[0.2], [0.4], [-0.1]]
q = W.dot(x)
f = np.sum(q**2)
dq = 2 * q
dW = dq.dot(x.T)
dx = W.T.dot(dq)
