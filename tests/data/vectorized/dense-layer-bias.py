# The classic mistake: the bias gets the batch's gradient itself, not its sum over the rows.
X = np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.0], [-0.5, 0.2, 0.1], [2.0, 1.0, -0.3]])
W = np.array([[0.2, -0.4], [0.6, 0.1], [-0.3, 0.5]])
b = np.array([0.1, -0.2])
Z = X @ W + b
A = np.maximum(0, Z)
L = np.sum((A - 1)**2)
# backward pass
dA = 2 * (A - 1)
dZ = dA * (Z > 0)
db = dZ
dW = X.T.dot(dZ)
dX = dZ.dot(W.T)
