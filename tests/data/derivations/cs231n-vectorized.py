# The vectorized example of the cs231n notes (Backpropagation, Intuitions: "Gradients for
# vectorized operations"): f = ||W x||², written with numpy's 1-D vectors.
import numpy as np

W = np.array([[0.1, 0.5], [-0.3, 0.8]])
x = np.array([0.2, 0.4])
q = W.dot(x)
f = np.sum(q**2)
# backward pass
dq = 2 * q
dW = np.outer(dq, x)
dx = W.T.dot(dq)
