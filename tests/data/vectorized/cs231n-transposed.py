# dx forgets to transpose W (a square W: the shape is right, the numbers are not).
W = [[0.1, 0.5], [-0.3, 0.8]]
x = [0.2, 0.4]
q = W.dot(x)
f = np.sum(q**2)
dq = 2 * q
dW = np.outer(dq, x)
dx = W.dot(dq)
